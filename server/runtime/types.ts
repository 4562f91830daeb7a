import "server-only";

/**
 * Where an agent stands, in words of no particular engine. The driver maps its engine's states onto these; how a
 * state reads ("up 5 minutes", "exited (137)") is the view's business.
 */
export const AGENT_STATES = ["created", "starting", "running", "paused", "stopping", "exited", "removing", "unreachable"] as const;
export type AgentState = (typeof AGENT_STATES)[number];

/**
 * `unreachable`: the agent's node cannot be reached (a cluster's node is down, or its engine does not answer), so how
 * the agent stands is unknown. It is neither up nor down: not a crash, and nothing is started in its place.
 */
export const isUnreachable = (state: AgentState) => state === "unreachable";

/** Running, or on its way to running again: a stop seen after this is news. */
export const isUp = (state: AgentState) => state === "running" || state === "starting";

/** The engine's view of one agent (what runs it carries the label `hive.agent=<name>`). */
export type AgentContainer = {
  name: string;
  /**
   * The engine's own id of what runs the agent (a container on Docker; a service on a cluster). It stays while the
   * agent is stopped and started again, and may change when the agent is recreated (destroy and spawn; a rebuild on
   * Docker, not on a cluster, which updates the service).
   */
  containerId: string;
  /**
   * The agent's current (or last) run: a start of it, whether the engine starts the same container again or a new
   * task or pod. Null when it never ran, or while the run that just began is known only from its event.
   */
  runId: string | null;
  /** The machine the agent runs (or last ran) on: one value on a single engine. */
  node: string;
  containerName: string;
  image: string;
  imageId: string;
  state: AgentState;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  exitCode: number | null;
  oomKilled: boolean;
  labels: Record<string, string>;
};

export type CreateAgentSpec = {
  name: string;
  /**
   * The state volume may carry another installation's label (or none, from before installation identities): an
   * operator adopted the agent and its state with it. Otherwise such a volume is refused.
   */
  adoptedVolume?: boolean;
  image: string;
  cmd?: string[];
  env: Record<string, string>;
  memoryMb?: number;
  cpus?: number;
  network?: string;
  labels?: Record<string, string>;
  /**
   * The node to place a new agent on (an operator's pick), on engines with several nodes. An agent whose state volume
   * exists already goes where the volume is; without either, the engine's own spread decides.
   */
  node?: string;
};

/** The settings an agent was created with, as far as the dashboard manages them. */
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
  /** The node holding the volume (a volume lives on one machine). */
  node: string;
  /** The installation that made it (its label); null for volumes from before installation identities. */
  installation: string | null;
  createdAt: string | null;
  labels: Record<string, string>;
  mountpoint: string | null;
};

/**
 * An agent on the same engine that another installation manages (its label names another installation), or that no
 * installation claims yet (made before installation identities): shown read-only, never acted on, unless adopted.
 */
export type ForeignAgent = {
  name: string;
  containerName: string;
  installation: string | null;
  state: AgentState;
  image: string;
  createdAt: string;
};

export type LogLine = { stream: "stdout" | "stderr"; text: string; timestamp: string | null };
/** A log line with its text as the engine sent it (UTF-8 bytes), for readers that pass it on without decoding. */
export type RawLogLine = { stream: "stdout" | "stderr"; text: Buffer; timestamp: string | null };

/**
 * Where a reader of an agent's log stands, as the driver wrote it: opaque to everyone else. Reading on from it gives
 * the lines after the ones the reader holds, none lost and none twice.
 */
export type LogCursor = string;

export type LogOptions = {
  /** The last N lines of the log (the engine counts both streams, then `stdout`/`stderr` select), or all. */
  tail: number | "all";
  /** Whether each line carries its time stamp (RFC 3339) in `timestamp`. */
  timestamps: boolean;
  stdout: boolean;
  stderr: boolean;
  /** Only lines written at or after this moment (RFC 3339). */
  since?: string;
};

export type FollowOptions = {
  stdout: boolean;
  stderr: boolean;
  /** Go on from here; without one, only lines written from now on. Lines carry their stamps. */
  from?: LogCursor;
};

/** A read of the log's last lines: the lines as they arrive, in batches, then the cursor after them. */
export type LogRead = {
  batches: AsyncIterable<RawLogLine[]>;
  /** Where a follow goes on from; known once `batches` has been read to its end. */
  cursor(): LogCursor;
};

/** A batch of followed lines and where the reader stands after them. */
export type FollowBatch = { lines: LogLine[]; cursor: LogCursor };

/**
 * What the engine tells of our agents, in its order, in a few words of no particular engine. `at` is the engine's
 * time of the event (RFC 3339, ms). `runId` names the run when the engine's event does; null means the agent's current
 * run, as a look tells.
 */
export type RuntimeEvent =
  | { type: "run-started"; agent: string; containerId: string; runId: string | null; at: string }
  | { type: "run-exited"; agent: string; containerId: string; runId: string | null; at: string; exitCode: number | null; oomKilled: boolean }
  | { type: "agent-removed"; agent: string; containerId: string; at: string }
  /** Anything else that may have changed the agent (created, stopped, paused, renamed, updated): look again. */
  | { type: "agent-changed"; agent: string; containerId: string; at: string };

/**
 * One reading of a running agent's resource use, as the engine's stats answer it once (no stream). CPU is cumulative:
 * a percentage needs two readings (the reader keeps the last one).
 */
export type AgentStatsSample = {
  /** When the engine read it (RFC 3339). */
  at: string;
  /** CPU time the agent used since it started, in nanoseconds. */
  cpuTotalNanos: number;
  /** CPU time the whole machine used, in nanoseconds, when the engine tells it. */
  systemCpuNanos: number | null;
  onlineCpus: number;
  /** Memory in use, without the page cache the kernel can drop (what an OOM kill looks at). */
  memoryBytes: number;
  /** The agent's memory limit; null when it has none (then the machine's memory bounds it). */
  memoryLimitBytes: number | null;
  /** Summed over its network interfaces; null when it has none of its own (host or no networking). */
  network: { rxBytes: number; txBytes: number } | null;
};

/** Failures the driver reports, already classified for callers. */
export class RuntimeError extends Error {
  constructor(
    /** `invalid`: the caller asked for something no engine could do (a cursor another driver made, a bad time). */
    readonly kind: "unavailable" | "not_found" | "conflict" | "invalid" | "engine",
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

/** A machine the engine runs agents on: the one host of a single engine, or each node of a cluster. */
export type RuntimeNode = {
  name: string;
  /** `engine`: a single engine (no cluster roles). */
  role: "manager" | "worker" | "engine";
  /** Whether the cluster places new work there (`pause`: keeps what it runs; `drain`: moves it off). */
  availability: "active" | "pause" | "drain";
  /** As the cluster sees it (a single engine that answers is `ready`). */
  state: "ready" | "down" | "unknown" | "disconnected";
  /** Whether the dashboard reaches the node's own engine (volumes, signals, fast crash news go through it). */
  engineReachable: boolean;
  /** Why the node's engine is not reachable or not usable (no endpoint configured, an endpoint that is another node). */
  engineProblem: string | null;
  leader: boolean;
  cpus: number;
  memoryBytes: number;
};

export type RuntimeCapabilities = {
  /**
   * The engine starts a crashed agent again by itself (a restart policy, a replicated service). The crash watch then
   * records the crash but leaves the restart to the engine.
   */
  restartsAgentsItself: boolean;
  /** Agents may be placed on one of several nodes and moved between them (a cluster). */
  placement: boolean;
};

/**
 * A container engine. Services depend on this interface only; a new engine is a new driver folder and one line of
 * server/runtime/registry.ts. Harmless answers (already started, already stopped, already removed) resolve instead of
 * throwing. Every driver passes tests/runtime/contract/.
 */
export interface ContainerRuntime {
  readonly kind: string;
  /** Where the engine is, safe to show (no credentials). */
  readonly endpoint: string;
  readonly capabilities: RuntimeCapabilities;
  ping(): Promise<void>;
  /** This installation's agents (their label names it); every other call below acts on those only. */
  listAgents(): Promise<AgentContainer[]>;
  /** Agents on the engine that are not this installation's (another's, or none's). */
  listForeignAgents(): Promise<ForeignAgent[]>;
  inspectAgent(name: string): Promise<AgentContainer | null>;
  createAgent(spec: CreateAgentSpec): Promise<{ containerId: string }>;
  /**
   * The managed settings of an agent (HIVE_* variables excluded), or null when it has none; with `foreign`, of an
   * agent of another installation (or none), to adopt it.
   */
  readAgentConfig(name: string, options?: { foreign?: boolean }): Promise<AgentContainerConfig | null>;
  /**
   * Makes a foreign agent this installation's: what runs it is recreated from `spec` with this installation's label,
   * keeping its state volume, and started only if it was running. Crash-safe like `recreateAgent`.
   */
  adoptAgent(spec: CreateAgentSpec, stopTimeoutSeconds: number): Promise<{ containerId: string }>;
  /**
   * Replaces what runs the agent with one made from `spec` (and the image the reference names now), keeping the state
   * volume. If the new one cannot be created or started, the old one is put back as it was.
   */
  recreateAgent(spec: CreateAgentSpec, stopTimeoutSeconds: number): Promise<{ containerId: string }>;
  /**
   * Agents with a recreate (rebuild, adopt) that a process left half done when it died: an old container parked
   * beside (or instead of) the new one. Only this installation's.
   */
  listInterruptedRecreates(): Promise<string[]>;
  /**
   * Finishes or undoes such a recreate: when the new one was made the parked one is removed ("kept-new"); else the old
   * one is put back as the agent, not started ("restored-old"). Only while no recreate of the agent runs.
   */
  settleInterruptedRecreate(name: string): Promise<"kept-new" | "restored-old">;
  /** "unchanged" when the engine says the agent was running already (nothing happened). */
  startAgent(name: string): Promise<LifecycleOutcome>;
  /** "unchanged" when the engine says the agent was stopped already (nothing happened). */
  stopAgent(name: string, timeoutSeconds: number): Promise<LifecycleOutcome>;
  restartAgent(name: string, timeoutSeconds: number): Promise<LifecycleOutcome>;
  killAgent(name: string, signal?: string): Promise<void>;
  /** Removes the agent (forcefully) and keeps its state volume. */
  removeAgent(name: string): Promise<void>;
  /** The machines agents run on. */
  listNodes(): Promise<RuntimeNode[]>;
  /**
   * Moves an agent (and what its state volume holds) to another node: it is stopped, its state is copied to the other
   * node and removed from the first, it is pinned there, and started again if it was running. Engines with one node
   * refuse (`invalid`).
   */
  moveAgent(name: string, node: string, stopTimeoutSeconds: number): Promise<{ bytes: number }>;
  ensureStateVolume(name: string): Promise<StateVolume>;
  /** Every Hive state volume on the engine, each with the installation that made it: callers keep their own. */
  listStateVolumes(): Promise<StateVolume[]>;
  removeStateVolume(name: string): Promise<void>;
  /** Bytes used by each of our state volumes, keyed by agent name (an expensive engine call). */
  stateVolumeSizes(): Promise<Map<string, number>>;
  logs(name: string, options: LogOptions): Promise<LogLine[]>;
  /**
   * Reads the log's last lines as they arrive from the engine, in batches, stamped. The promise settles once the
   * engine answered (a missing agent or an unreachable engine rejects it, before any line); the signal stops the read.
   */
  readLogs(name: string, options: Omit<LogOptions, "timestamps">, signal?: AbortSignal): Promise<LogRead>;
  /**
   * Follows the agent's log until the signal aborts or the agent stops, in batches of the lines that came together.
   * The engine stream is closed when the signal aborts, when the caller stops iterating, and on failure.
   */
  followLogs(name: string, options: FollowOptions, signal: AbortSignal): AsyncIterable<FollowBatch>;
  /**
   * One reading of the agent's resource use (the engine's one-shot stats); null when it is not running. A driver that
   * cannot reach where the agent runs rejects with `unavailable`.
   */
  agentStats(name: string): Promise<AgentStatsSample | null>;
  /** Engine log streams this process holds open right now, by agent (diagnostics; leak tests). */
  openLogStreams(): Record<string, number>;
  /** Our agents' events from now on (normalised), until the signal aborts or the engine goes away (the iteration throws). */
  events(signal: AbortSignal): AsyncIterable<RuntimeEvent>;
}

export const AGENT_LABEL = "hive.agent";
export const STATE_LABEL = "hive.state";
export const MANAGED_BY_LABEL = "hive.managed-by";
export const MANAGED_BY = "hive-dashboard";
/**
 * The installation (one dashboard's database) that made a container or volume: two dashboards on one engine each
 * manage only their own. Every driver stamps it on everything it creates and filters by it.
 */
export const INSTALLATION_LABEL = "hive.installation";
/** What a driver is told at creation besides its own settings. */
export type RuntimeCommon = {
  probeTimeoutMs: number;
  installation: string;
  /** Agents made before installation identities that this installation's database knew: unlabelled, still its own. */
  legacyAgents?: readonly string[];
};
export const containerNameFor = (agent: string) => `hive-${agent}`;
export const volumeNameFor = (agent: string) => `hive-state-${agent}`;
export const STATE_MOUNT = "/state";
