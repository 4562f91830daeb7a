import "server-only";
import type { AgentActor } from "../../../contracts/actors";
import type { Database } from "../../../db/client";
import { enqueueAgentEvent } from "../../../db/queries/agent-events";
import { type ApprovalRow, decidePending, findApproval } from "../../../db/queries/approvals";
import { publishEvent } from "../../../db/queries/events";
import { HiveError } from "../../../errors";

export async function ownApproval(db: Database, actor: AgentActor, id: string): Promise<ApprovalRow> {
  const row = await findApproval(db, id);
  if (!row || row.requesterKind !== "agent" || row.requestedBy !== actor.agent) throw new HiveError("approval_not_found", `no approval ${id} of agent ${actor.agent}`);
  return row;
}

/** Decides a pending approval once; whoever comes second gets 409 approval_resolved naming the first decision. */
export async function decideOnce(db: Database, id: string, decision: Parameters<typeof decidePending>[2]): Promise<ApprovalRow> {
  const row = await decidePending(db, id, decision);
  if (row) return row;
  const current = await findApproval(db, id);
  if (!current) throw new HiveError("approval_not_found", `no approval ${id}`);
  throw new HiveError("approval_resolved", `approval ${id} was already ${current.status}${current.decidedBy ? ` by ${current.decidedBy}` : ""}`, {
    status: current.status,
    decidedBy: current.decidedBy,
  });
}

/** The requesting agent hears the outcome in its inbox; operators see it in the activity feed. */
export async function announceDecision(db: Database, row: ApprovalRow, actor: string) {
  if (row.requesterKind === "agent") {
    await enqueueAgentEvent(db, {
      agent: row.requestedBy,
      kind: "approval_resolved",
      payload: { id: row.id, kind: row.kind, agent: row.agent, status: row.status, note: row.note, failure: row.failure },
      ref: row.id,
    });
  }
  await publishEvent(db, {
    kind: "approval_decided",
    agent: row.agent,
    actor,
    detail: { approvalId: row.id, approvalKind: row.kind, status: row.status, failure: row.failure, note: row.note },
    ref: row.id,
  });
}
