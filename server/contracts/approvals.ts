import { z } from "./zod";
import { AgentName } from "./common";
import { AgentConfigInput, ContainerView, ProposedConfigInput } from "./containers";

export { AgentConfigInput, ProposedConfigInput };

export const ApprovalId = z.string().regex(/^apr_[A-Za-z0-9_-]{8,40}$/, { error: "not an approval id" });
export const ApprovalIdParams = z.object({ id: ApprovalId });

const Description = z.string().trim().min(1, { error: "say why" }).max(2000, { error: "at most 2000 characters" });

/** A manager asks for a new agent (the `request_spawn` tool; `kind: "spawn"` on the REST route). */
export const SpawnRequestInput = z.strictObject({
  name: AgentName.describe("name of the agent to create"),
  config: AgentConfigInput.describe("what the agent is made of: image, and optionally cmd, env, memoryMb, cpus, network"),
  role: z.enum(["agent", "manager"]).optional().describe('"agent" (default) or "manager"'),
  description: Description.describe("why the agent is needed: the operator reads this before approving"),
});
export type SpawnRequestInput = z.infer<typeof SpawnRequestInput>;

/** A manager proposes a whole new config for an existing agent (the `request_config_change` tool). */
export const ConfigChangeRequestInput = z.strictObject({
  name: AgentName.describe("the agent to change"),
  config: ProposedConfigInput.describe('the whole proposed config; an env entry {"keep": true} keeps the current value'),
  description: Description.describe("why the change is needed: the operator reads this beside the diff"),
});
export type ConfigChangeRequestInput = z.infer<typeof ConfigChangeRequestInput>;

export const RequestApprovalInput = z.discriminatedUnion(
  "kind",
  [SpawnRequestInput.extend({ kind: z.literal("spawn") }), ConfigChangeRequestInput.extend({ kind: z.literal("config_change") })],
  { error: 'kind must be "spawn" or "config_change"' },
);
export type RequestApprovalInput = z.infer<typeof RequestApprovalInput>;

export const DenyApprovalInput = z.strictObject({ note: z.string().trim().max(1000).optional() });

export const DiffLine = z.object({ op: z.enum(["+", "-", " "]), text: z.string() });
export type DiffLine = z.infer<typeof DiffLine>;

export const ApprovalStatus = z.enum(["pending", "approved", "denied", "failed", "cancelled"]);

export const ApprovalView = z.object({
  id: z.string(),
  kind: z.enum(["spawn", "config_change"]),
  agent: z.string(),
  role: z.enum(["agent", "manager"]),
  requestedBy: z.string(),
  requesterKind: z.enum(["agent", "operator"]),
  description: z.string(),
  revive: z.boolean(),
  status: ApprovalStatus,
  createdAt: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  note: z.string().nullable(),
  failure: z.string().nullable(),
  /** What a spawn will create: the config as lines ("image: …", "env.KEY: …"). */
  summary: z.array(z.string()),
  /** For config changes: the unified diff between the current and the proposed config. */
  diff: z.array(DiffLine).nullable(),
});
export type ApprovalView = z.infer<typeof ApprovalView>;

export const TombstoneView = z.object({
  name: z.string(),
  volume: z.string(),
  sizeBytes: z.number().nullable(),
  destroyedAt: z.string().nullable(),
  volumeCreatedAt: z.string().nullable(),
  configKept: z.boolean(),
  credentialsKept: z.boolean(),
  image: z.string().nullable(),
  crashes: z.number(),
  /** A revive request is already waiting for approval. */
  revivePending: z.boolean(),
});
export type TombstoneView = z.infer<typeof TombstoneView>;

// POST /api/approvals/:id/approve (with the agent an approval made) and /deny
export const ApprovalDecision = z.object({ approval: ApprovalView, agent: ContainerView.nullable().optional() });

// POST /api/tombstones/:name/revive, DELETE /api/tombstones/:name
export const RevivedTombstone = z.object({ approval: ApprovalView });
export const PurgedTombstone = z.object({ name: z.string(), purged: z.literal(true) });
