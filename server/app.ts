import "server-only";
import type { Logger } from "pino";
import { getConfig, type HiveConfig } from "./config";
import type { DatabaseHandle } from "./db/client";
import { HiveError } from "./errors";
import type { DependencyMonitor } from "./runtime/monitor";
import type { ContainerRuntime } from "./runtime/types";
import type { EventHub } from "./services/event-hub";
import type { RevocationWatch } from "./services/revocation-watch";
import type { FleetWatcher } from "./workers/fleet-watcher";
import type { StateSnapshotCache } from "./services/state-snapshot";
import type { StateVolumeCache } from "./services/state-volumes";
import type { OperatorCredentials } from "./services/operator-credentials";

/** A long-running loop owned by the process: started after boot, stopped on shutdown. */
export interface Worker {
  readonly name: string;
  start(): void | Promise<void>;
  stop(): Promise<void>;
}

/** Everything one dashboard process holds: built once at start, shared by every route through globalThis. */
export type HiveApp = {
  config: HiveConfig;
  logger: Logger;
  database: DatabaseHandle;
  runtime: ContainerRuntime;
  runtimeMonitor: DependencyMonitor;
  workers: Worker[];
  credentials: OperatorCredentials;
  /** The live picture of the agent containers (engine events + reconcile polls). */
  fleet: FleetWatcher;
  /** This process among the replicas sharing the database: owns the transients it starts. */
  instanceId: string;
  events: EventHub;
  /** Ends streams and long polls whose credential (agent token, session) ends, on any replica. */
  revocations: RevocationWatch;
  /** The database half of /api/state, cached between change notifications. */
  stateSnapshot: StateSnapshotCache;
  /** Our state volumes (tombstones are the ones without a container) and their sizes. */
  volumes: StateVolumeCache;
  /** Whether this process currently runs the leader-only loops (crash watch, recovery). */
  isLeader(): boolean;
  startedAt: Date;
  /** Aborted when shutdown begins: streams and long polls end so in-flight requests can finish. */
  shutdownSignal: AbortSignal;
  beginShutdown(): void;
  /** Stops workers, monitor, events and database in order; `onStep` hears each step's name as it begins. */
  shutdown(onStep?: (step: string) => void): Promise<void>;
};

type Holder = { app?: HiveApp; booting?: Promise<HiveApp> };
const key = Symbol.for("hive.app");

function holder(): Holder {
  const scope = globalThis as typeof globalThis & { [key]?: Holder };
  scope[key] ??= {};
  return scope[key];
}

/** Registers the booted app for every bundle of this process. */
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

/** The running app; boots it on first use when no server entry point did (for example under `next dev`). */
export async function getApp(): Promise<HiveApp> {
  const slot = holder();
  if (slot.app) return slot.app;
  if (!slot.booting) {
    const { bootApp } = await import("./boot");
    registerApp(bootApp(getConfig()));
  }
  try {
    return await slot.booting!;
  } catch {
    throw new HiveError("internal_error", "the dashboard failed to start; see its log");
  }
}
