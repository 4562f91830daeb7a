import "server-only";

/** The engine's view of one agent container (a container labelled `hive.agent=<name>`). */
export type AgentContainer = {
  name: string;
  containerId: string;
  containerName: string;
  image: string;
  imageId: string;
  state: "created" | "running" | "paused" | "restarting" | "removing" | "exited" | "dead";
  /** The engine's own one-line status, such as "Up 5 minutes" or "Exited (137) 2 seconds ago". */
  status: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  exitCode: number | null;
  oomKilled: boolean;
  labels: Record<string, string>;
};

export type CreateAgentSpec = {
  name: string;
  image: string;
  cmd?: string[];
  env: Record<string, string>;
  memoryMb?: number;
  cpus?: number;
  network?: string;
  labels?: Record<string, string>;
};

/** The settings a container was created with, as far as the dashboard manages them. */
export type AgentContainerConfig = {
  image: string;
  cmd?: string[];
  env: Record<string, string>;
  memoryMb?: number;
  cpus?: number;
  network?: string;
};

export type StateVolume = {
  name: string;
  volumeName: string;
  createdAt: string | null;
  labels: Record<string, string>;
  mountpoint: string | null;
};

export type LogLine = { stream: "stdout" | "stderr"; text: string; timestamp: string | null };
/** A log line with its text as the engine sent it (UTF-8 bytes), for readers that pass it on without decoding. */
export type RawLogLine = { stream: "stdout" | "stderr"; text: Buffer; timestamp: string | null };

export type LogOptions = {
  /** The last N lines of the log (the engine counts both streams, then `stdout`/`stderr` select), or all. */
  tail: number | "all";
  timestamps: boolean;
  stdout: boolean;
  stderr: boolean;
  /**
   * Only lines at or after this time: Unix seconds, fractional allowed. A string keeps nanosecond precision
   * ("1700000000.123456789", see `engineSince` in server/views/journal.ts).
   */
  since?: number | string;
};

export type RuntimeEvent = {
  action: string;
  agent: string;
  containerId: string;
  /** Nanoseconds since the epoch, as the engine reports it, for ordering. */
  timeNano: bigint;
  time: string;
  exitCode: number | null;
};

/** Failures the driver reports, already classified for callers. */
export class RuntimeError extends Error {
  constructor(
    readonly kind: "unavailable" | "not_found" | "conflict" | "engine",
    message: string,
    readonly statusCode?: number,
  ) {
    super(message);
    this.name = "RuntimeError";
  }
}

export function isRuntimeError(error: unknown): error is RuntimeError {
  return error instanceof Error && error.name === "RuntimeError" && "kind" in error;
}

/** What a lifecycle call did: "unchanged" when the engine says the agent was in that state already. */
export type LifecycleOutcome = "changed" | "unchanged";

/**
 * A container engine. Services depend on this interface only; a new engine is a new implementation.
 * Harmless answers (already started, already stopped, already removed) resolve instead of throwing.
 */
export interface ContainerRuntime {
  readonly kind: string;
  /** Where the engine is, safe to show (no credentials). */
  readonly endpoint: string;
  ping(): Promise<void>;
  listAgents(): Promise<AgentContainer[]>;
  inspectAgent(name: string): Promise<AgentContainer | null>;
  createAgent(spec: CreateAgentSpec): Promise<{ containerId: string }>;
  /** The managed settings of an agent's container (HIVE_* variables excluded), or null without a container. */
  readAgentConfig(name: string): Promise<AgentContainerConfig | null>;
  /**
   * Replaces the agent's container with one made from `spec` (and the image the reference names now), keeping
   * the state volume. If the new container cannot be created or started, the old one is put back as it was.
   */
  recreateAgent(spec: CreateAgentSpec, stopTimeoutSeconds: number): Promise<{ containerId: string }>;
  /** "unchanged" when the engine says the agent was running already (nothing happened). */
  startAgent(name: string): Promise<LifecycleOutcome>;
  /** "unchanged" when the engine says the agent was stopped already (nothing happened). */
  stopAgent(name: string, timeoutSeconds: number): Promise<LifecycleOutcome>;
  restartAgent(name: string, timeoutSeconds: number): Promise<LifecycleOutcome>;
  killAgent(name: string, signal?: string): Promise<void>;
  /** Removes the container (forcefully) and keeps its state volume. */
  removeAgent(name: string): Promise<void>;
  ensureStateVolume(name: string): Promise<StateVolume>;
  listStateVolumes(): Promise<StateVolume[]>;
  removeStateVolume(name: string): Promise<void>;
  /** Bytes used by each of our state volumes, keyed by agent name (an expensive engine call). */
  stateVolumeSizes(): Promise<Map<string, number>>;
  logs(name: string, options: LogOptions): Promise<LogLine[]>;
  /**
   * Reads the log as it arrives from the engine, in batches. The promise settles once the engine answered (a
   * missing container or an unreachable engine rejects it, before any line); the signal stops the read.
   */
  readLogs(name: string, options: LogOptions, signal?: AbortSignal): Promise<AsyncIterable<RawLogLine[]>>;
  /**
   * Follows the agent's log until the signal aborts or the container stops. The engine stream is closed when the
   * signal aborts, when the caller stops iterating, and on failure.
   */
  followLogs(name: string, options: LogOptions, signal: AbortSignal): AsyncIterable<LogLine>;
  /** Engine log streams this process holds open right now, by agent (diagnostics; leak tests). */
  openLogStreams(): Record<string, number>;
  events(signal: AbortSignal, sinceSeconds?: number): AsyncIterable<RuntimeEvent>;
}

export const AGENT_LABEL = "hive.agent";
export const STATE_LABEL = "hive.state";
export const MANAGED_BY_LABEL = "hive.managed-by";
export const MANAGED_BY = "hive-dashboard";
export const containerNameFor = (agent: string) => `hive-${agent}`;
export const volumeNameFor = (agent: string) => `hive-state-${agent}`;
export const STATE_MOUNT = "/state";
