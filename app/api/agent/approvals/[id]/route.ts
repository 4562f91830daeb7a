import { ApprovalIdParams } from "@/server/contracts/approvals";
import { withRoute } from "@/server/http/with-route";
import { readOwnApproval } from "@/server/services/approvals/read-own-approval";
import { withdrawApproval } from "@/server/services/approvals/withdraw-approval";

export const dynamic = "force-dynamic";

// GET /api/agent/approvals/:id: the requester reads its request's status.
export const GET = withRoute({ auth: "agent", params: ApprovalIdParams }, async ({ ctx, params }) => readOwnApproval({ ctx, input: { id: params.id } }));

// DELETE /api/agent/approvals/:id: the requester withdraws a pending request (status cancelled).
export const DELETE = withRoute({ auth: "agent", action: "approval.withdraw", params: ApprovalIdParams }, async ({ ctx, params, audit }) => {
  const approval = await withdrawApproval({ ctx, input: { id: params.id } });
  audit.target = approval.agent;
  return approval;
});
