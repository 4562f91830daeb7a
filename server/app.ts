import "server-only";
import type { HiveContext } from "./context";
import { HiveError } from "./errors";

/** The running dashboard process, as the composition root (server/boot.ts) built it. */
export type HiveApp = {
  /** The narrow context handed to services and workers. */
  context: HiveContext;
  /** Whether this process currently runs the leader-only loops (crash watch, recovery). */
  isLeader(): boolean;
  startedAt: Date;
  beginShutdown(): void;
  /** Stops workers, monitor, events and database in order; `onStep` hears each step's name as it begins. */
  shutdown(onStep?: (step: string) => void): Promise<void>;
};

type Holder = { app?: HiveApp; booting?: Promise<HiveApp> };
const key = Symbol.for("hive.app");

// Shared through globalThis: Next bundles this module more than once (instrumentation, each route).
function holder(): Holder {
  const scope = globalThis as typeof globalThis & { [key]?: Holder };
  scope[key] ??= {};
  return scope[key];
}

/** Registers the booting app for every bundle of this process (instrumentation.ts boots it before serving). */
export function registerApp(booting: Promise<HiveApp>): Promise<HiveApp> {
  const slot = holder();
  slot.booting = booting;
  booting.then(
    (app) => {
      slot.app = app;
    },
    () => {
      slot.booting = undefined;
    },
  );
  return booting;
}

/** The running app, once booted. */
export async function getApp(): Promise<HiveApp> {
  const slot = holder();
  if (slot.app) return slot.app;
  if (!slot.booting) throw new HiveError("internal_error", "the dashboard has not started; see its log");
  try {
    return await slot.booting;
  } catch {
    throw new HiveError("internal_error", "the dashboard failed to start; see its log");
  }
}
