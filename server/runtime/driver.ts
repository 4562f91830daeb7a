import "server-only";
import type { z } from "zod";
import type { ContainerRuntime, RuntimeCommon } from "./types";

/**
 * One engine driver as the registry knows it: its own environment variables (validated with the rest of the
 * configuration), the settings made of them, and how to make the driver.
 */
export type RuntimeDriver<S> = {
  /** The engine's name in messages for people ("Docker"). */
  label: string;
  env: z.ZodObject;
  settings: (env: never) => S;
  create(settings: S, common: RuntimeCommon): Promise<ContainerRuntime>;
};
