import type { ContainerRuntime } from "@/server/runtime/types";

/**
 * What a driver's test file hands the runtime contract suite: how to make the driver against a real engine, and how to
 * make one whose engine the suite can take away and bring back (the suite never stops a shared engine itself).
 */
export type DriverFactory = {
  /** Shown in the suite's name: "docker". */
  name: string;
  /** The test agent image, as this engine names it (tests/helpers/test-image.ts builds it). */
  image: string;
  create(): Promise<ContainerRuntime>;
  /** A driver whose way to the engine can be cut (the engine gone) and restored (back), and then closed. */
  createInterruptible(): Promise<{ runtime: ContainerRuntime; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }>;
  /** Removes every agent and state volume whose name starts with the prefix (the suite's own, nothing else). */
  cleanup(prefix: string): Promise<void>;
};
