import "server-only";
import type { ServiceCall } from "../../context";
import type { AgentActor } from "../../contracts/actors";
import type { ApprovalView } from "../../contracts/approvals";
import { publishEvent } from "../../db/queries/events";
import { toAgentApprovalView } from "../../views/approvals";
import { ApprovalTarget } from "./internal/approval-inputs";
import { decideOnce, ownApproval } from "./internal/decide";

/** The requester withdraws a pending request (status cancelled). */
export async function withdrawApproval({ ctx, input }: ServiceCall<ApprovalTarget, AgentActor>): Promise<ApprovalView> {
  const { id } = ApprovalTarget.parse(input);
  const by = `agent:${ctx.actor.agent}`;
  await ownApproval(ctx.db, ctx.actor, id);
  const row = await decideOnce(ctx.db, id, { status: "cancelled", decidedBy: by });
  await publishEvent(ctx.db, { kind: "approval_withdrawn", agent: row.agent, actor: by, detail: { approvalId: id }, ref: id });
  return toAgentApprovalView(row);
}
