import "server-only";
import type { ServiceCall } from "../../context";
import type { AgentActor } from "../../contracts/actors";
import type { ApprovalView } from "../../contracts/approvals";
import { toAgentApprovalView } from "../../views/approvals";
import { ApprovalTarget } from "./internal/approval-inputs";
import { ownApproval } from "./internal/decide";

/** The requester reads its request's status. */
export async function readOwnApproval({ ctx, input }: ServiceCall<ApprovalTarget, AgentActor>): Promise<ApprovalView> {
  const { id } = ApprovalTarget.parse(input);
  return toAgentApprovalView(await ownApproval(ctx.db, ctx.actor, id));
}
