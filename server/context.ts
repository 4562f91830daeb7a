import "server-only";
import type { Logger } from "pino";
import type { AgentStatsCache } from "./caches/agent-stats";
import type { StateSnapshotCache } from "./caches/state-snapshot";
import type { ForeignAgentCache } from "./caches/foreign-agents";
import type { NodeCache } from "./caches/nodes";
import type { StateVolumeCache } from "./caches/state-volumes";
import type { HiveConfig } from "./config";
import type { Actor } from "./contracts/actors";
import type { OperatorCredentials } from "./credentials/operator-credentials";
import type { RevocationWatch } from "./credentials/revocation-watch";
import type { Database } from "./db/client";
import type { EventHub } from "./events/event-hub";
import type { FleetPicture } from "./fleet/fleet-picture";
import type { InFlightSlots } from "./in-flight/in-flight-slots";
import type { DependencySnapshot, DependencyStatus } from "./runtime/monitor";
import type { ContainerRuntime } from "./runtime/types";
import type { ClientSlots } from "./security/client-slots";
import type { WriteRetry } from "./write-retry/write-retry";
import type { CredentialThrottle } from "./security/credential-throttle";

/** What services may know of the engine's health: the monitor's verdict, never its probing. */
export type EngineHealth = {
  readonly status: DependencyStatus;
  snapshot(): DependencySnapshot;
  /** A call failed as if the engine were gone: probe again soon. */
  reportFailure(): void;
};

/**
 * The narrow context every service and worker is handed, built once at boot by the composition root (server/boot.ts).
 * Nothing here reaches back into the root: a service sees the database, the engine driver and its health, the fleet
 * picture, the change notices, the caches and the process's own facts, and nothing else.
 */
export type HiveContext = {
  readonly config: HiveConfig;
  readonly logger: Logger;
  readonly db: Database;
  /** Answers within `timeoutMs` or rejects: the health probe's database check. */
  pingDatabase(timeoutMs: number): Promise<void>;
  /**
   * The embedded database only (absent on PostgreSQL): its data directory as a gzipped tar, which only this process
   * may read (one process per data directory).
   */
  readonly dumpEmbeddedDatabase?: () => Promise<Blob>;
  readonly runtime: ContainerRuntime;
  readonly engine: EngineHealth;
  /** The live picture of the agents (engine events + reconcile polls). */
  readonly fleet: FleetPicture;
  /** Change notices from every replica (PostgreSQL LISTEN/NOTIFY). */
  readonly events: EventHub;
  readonly caches: { readonly state: StateSnapshotCache; readonly volumes: StateVolumeCache; readonly foreign: ForeignAgentCache; readonly nodes: NodeCache; readonly stats: AgentStatsCache };
  /** This process's own in-flight actions (the database slot tells every replica). */
  readonly slots: InFlightSlots;
  readonly credentials: OperatorCredentials;
  /** Ends streams and long polls whose credential (agent token, session) ends, on any replica. */
  readonly revocations: RevocationWatch;
  /** Writes recording what already happened (audit rows, slot releases), kept and retried through a database outage. */
  readonly writeRetry: WriteRetry;
  /** Failed credentials per client address (this process). */
  readonly credentialThrottle: CredentialThrottle;
  /** Log follows each client address holds open (this process). */
  readonly logFollows: ClientSlots;
  /** This process among the replicas sharing the database: owns the in-flight slots it claims. */
  readonly instanceId: string;
  /** This installation (one database's dashboards): the engine driver manages only what carries it. */
  readonly installation: string;
  /** Aborted when shutdown begins: streams and long polls end so in-flight requests can finish. */
  readonly shutdownSignal: AbortSignal;
};

/** One call's context: the process's, plus who acts, the request's trace id, and a signal for when it is over. */
export type CallContext<A extends Actor | null = Actor> = HiveContext & {
  readonly actor: A;
  readonly traceId?: string;
  /** Aborted when the caller is gone (the client disconnected, its credential ended, a worker stopped). */
  readonly signal: AbortSignal;
};

/** The one shape of a service call (STYLE.md rule 3). */
export type ServiceCall<I, A extends Actor | null = Actor> = { ctx: CallContext<A>; input: I };

/** A context for the dashboard acting on its own (workers), with a signal for when the worker stops. */
export function systemCall<A extends Actor | null>(ctx: HiveContext, actor: A, signal: AbortSignal = ctx.shutdownSignal): CallContext<A> {
  return { ...ctx, actor, signal };
}
