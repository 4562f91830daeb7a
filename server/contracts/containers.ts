import { z } from "./zod";
import { AgentName } from "./common";
import { AgentView, ContainerState } from "./agents";

export const TransientKind = z.enum(["spawning", "starting", "stopping", "restarting", "rebuilding", "destroying", "moving"]);
export type TransientKind = z.infer<typeof TransientKind>;

export const PendingView = z.object({
  kind: TransientKind,
  action: z.string(),
  startedBy: z.string(),
  startedAt: z.string(),
  deadlineAt: z.string(),
  /** Past its deadline: shown as a "stuck" badge with a way to clear it. */
  stuck: z.boolean(),
});
export type PendingView = z.infer<typeof PendingView>;

export const LogLineView = z.object({ stream: z.enum(["stdout", "stderr"]), text: z.string(), timestamp: z.string().nullable() });

export const CrashView = z.object({
  id: z.number(),
  crashedAt: z.string(),
  exitCode: z.number().nullable(),
  oomKilled: z.boolean(),
  /** `restarted_by_engine`: an engine that restarts agents itself has (the dashboard only recorded the crash). */
  outcome: z.enum(["restart_scheduled", "crash_looping", "left_stopped", "restarted_by_engine"]),
  /** How many last log lines the record holds (a busy engine's come a moment after the crash is recorded). */
  lineCount: z.number(),
});
export type CrashView = z.infer<typeof CrashView>;

export const CrashDetailView = CrashView.extend({ containerId: z.string(), lastLines: z.array(LogLineView) });
export type CrashDetailView = z.infer<typeof CrashDetailView>;

/** An agent container as the engine reports it, with what the dashboard keeps about the agent. */
export const ContainerView = AgentView.extend({
  role: z.enum(["agent", "manager"]),
  desiredState: z.enum(["running", "stopped"]).nullable(),
  desiredChangedBy: z.string().nullable(),
  desiredChangedAt: z.string().nullable(),
  /** Desired and observed disagree (and no action is in flight to reconcile them). */
  drift: z.boolean(),
  pending: PendingView.nullable(),
  crashLoopingSince: z.string().nullable(),
  nextRestartAt: z.string().nullable(),
  crashes: z.object({ recent: z.number(), total: z.number(), last: CrashView.nullable() }),
});
export type ContainerView = z.infer<typeof ContainerView>;

export const SpawningView = z.object({
  name: z.string(),
  startedBy: z.string(),
  startedAt: z.string(),
  deadlineAt: z.string(),
  stuck: z.boolean(),
});
export type SpawningView = z.infer<typeof SpawningView>;

const EnvKey = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, { error: "environment names are letters, digits and underscores" });
const EnvText = z.string().max(8192);

/**
 * One env entry: a plain value, `{ value, secret: true }` (write-only: the container gets it, no view, diff or log
 * shows it), or, in a config change, `{ keep: true }` for the agent's current value (a secret the proposer cannot read).
 */
export const EnvEntry = z.union([EnvText, z.strictObject({ value: EnvText, secret: z.boolean().optional() })]);
export const ProposedEnvEntry = z.union([EnvEntry, z.strictObject({ keep: z.literal(true) })]);
export type ProposedEnvEntry = z.infer<typeof ProposedEnvEntry>;

function envMap<T extends z.ZodType>(entry: T) {
  return z
    .record(EnvKey, entry)
    .refine((env) => Object.keys(env).length <= 200, { error: "at most 200 environment variables" })
    .refine((env) => !Object.keys(env).some((key) => key.startsWith("HIVE_")), {
      error: "HIVE_* variables are set by the dashboard itself",
    });
}
export const EnvMap = envMap(EnvEntry);
export const ProposedEnvMap = envMap(ProposedEnvEntry);

export const NetworkName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { error: "not a valid network name" });
export const ImageReference = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/, { error: "not a valid image reference" });

const configFields = {
  image: ImageReference,
  cmd: z.array(z.string().max(4096)).max(64).optional(),
  memoryMb: z.number().int().min(6).max(1_048_576).optional(),
  cpus: z.number().min(0.01).max(1024).optional(),
  network: NetworkName.optional(),
};

/** What an agent is made of: given at spawn, stored per agent, rebuilt from. */
export const AgentConfigInput = z.strictObject({ ...configFields, env: EnvMap.optional() });
export type AgentConfigInput = z.infer<typeof AgentConfigInput>;

/** A config a manager proposes for an existing agent: env entries may keep the current value. */
export const ProposedConfigInput = z.strictObject({ ...configFields, env: ProposedEnvMap.optional() });
export type ProposedConfigInput = z.infer<typeof ProposedConfigInput>;

/** A node's name as an engine reports it (a host name); whether such a node exists is the runtime's to say. */
export const NodeName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,252}$/, { error: "not a valid node name" });

export const SpawnAgentInput = AgentConfigInput.extend({
  name: AgentName,
  role: z.enum(["agent", "manager"]).optional(),
  /** The node to place it on (a cluster's operator's pick); without it the runtime places it. */
  node: NodeName.optional(),
});
export type SpawnAgentInput = z.infer<typeof SpawnAgentInput>;

export const AgentNameParams = z.object({ name: AgentName });

// POST /api/agents/:name/move { node }: the agent and its state volume go to another node of the cluster.
export const MoveAgentInput = z.strictObject({ node: NodeName });
export type MoveAgentInput = z.infer<typeof MoveAgentInput>;
export const MovedAgentView = z.object({ agent: ContainerView.nullable(), from: z.string(), to: z.string(), bytes: z.number() });
export type MovedAgentView = z.infer<typeof MovedAgentView>;

export const StopAgentInput = z.strictObject({ timeoutSeconds: z.number().int().min(0).max(300).optional() });
export type StopAgentInput = z.infer<typeof StopAgentInput>;

/** What an agent reads about itself (`GET /api/agent/agents/:name`, the `describe_self` tool). */
export const OwnAgentView = z.object({
  agent: z.string(),
  role: z.enum(["agent", "manager"]),
  /** The dashboard's view of the engine: "up", "down", or "unknown" before its first probe. */
  runtime: z.enum(["unknown", "up", "down"]),
  /** What operators (or a manager) want: running or stopped; null before anyone decided. */
  desiredState: z.enum(["running", "stopped"]).nullable(),
  /** Its container as the operators' page shows it; null when the engine is not up or has no such container. */
  container: ContainerView.nullable(),
});
export type OwnAgentView = z.infer<typeof OwnAgentView>;

// GET /api/agents/:name/crashes?limit=
export const CrashesQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(20) });
export const CrashList = z.object({ crashes: z.array(CrashDetailView) });

// DELETE /api/agents/:name?purge=
export const DestroyAgentQuery = z.strictObject({ purge: z.enum(["true", "false"]).default("false") });
export const DestroyedAgent = z.object({ name: z.string(), destroyed: z.literal(true), purged: z.boolean() });

// DELETE /api/agents/:name/transient
export const ClearedAction = z.object({ cleared: z.literal(true) });

/**
 * An agent on the same engine that another installation (another dashboard's database) manages, or none claims yet
 * (made before installation identities): shown read-only; only an operator's adoption makes it this one's.
 */
export const ForeignAgentView = z.object({
  name: z.string(),
  containerName: z.string(),
  /** The installation that manages it (its hive.installation label); null when none claims it. */
  installation: z.string().nullable(),
  state: ContainerState,
  image: z.string(),
  createdAt: z.string(),
});
export type ForeignAgentView = z.infer<typeof ForeignAgentView>;
export const ForeignAgentList = z.object({ installation: z.string(), agents: z.array(ForeignAgentView) });
export type ForeignAgentList = z.infer<typeof ForeignAgentList>;
