import { z } from "./zod";
import { ContainerView, SpawningView } from "./containers";
import { RuntimeSnapshot } from "./health";
import { QuestionView } from "./questions";
import { ApprovalView, TombstoneView } from "./approvals";
import { NodeView } from "./nodes";

export const ActivityView = z.object({
  id: z.number(),
  at: z.string(),
  kind: z.string(),
  agent: z.string().nullable(),
  actor: z.string(),
  detail: z.record(z.string(), z.unknown()),
});
export type ActivityView = z.infer<typeof ActivityView>;

/** Everything the dashboard page renders, in one response. */
export const DashboardState = z.object({
  serverTime: z.string(),
  version: z.string(),
  operator: z.string(),
  authMode: z.enum(["token", "proxy"]),
  runtime: RuntimeSnapshot,
  /** null while the engine is not reachable: the page says so rather than showing an empty fleet. */
  containers: z.array(ContainerView).nullable(),
  containersError: z.string().nullable(),
  /** Agents being spawned that have no container yet. */
  spawning: z.array(SpawningView),
  /** Some action is in flight somewhere: the page refreshes every 2 s instead of 5 s. */
  inFlight: z.boolean(),
  activity: z.array(ActivityView),
  questions: z.object({ pending: z.array(QuestionView), recent: z.array(QuestionView) }),
  approvals: z.object({ pending: z.array(ApprovalView), recent: z.array(ApprovalView) }),
  /** null while the engine is not reachable (volumes cannot be listed). */
  tombstones: z.array(TombstoneView).nullable(),
  /** The machines agents run on (one for a single engine); null while the engine is not reachable. */
  nodes: z.array(NodeView).nullable(),
});
export type DashboardState = z.infer<typeof DashboardState>;

// GET /api/audit?limit=
export const AuditQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100) });
export const AuditEntryView = z.object({
  id: z.number(),
  at: z.string(),
  actorKind: z.enum(["operator", "agent", "anonymous", "system"]),
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  result: z.enum(["ok", "error"]),
  status: z.number(),
  errorCode: z.string().nullable(),
  traceId: z.string(),
  detail: z.unknown(),
});
export const AuditList = z.object({ entries: z.array(AuditEntryView) });
