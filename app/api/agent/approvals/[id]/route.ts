import { ApprovalIdParams } from "@/server/contracts/approvals";
import { withRoute } from "@/server/http/with-route";
import { readOwnApproval, withdrawApproval } from "@/server/services/approvals";

export const dynamic = "force-dynamic";

// GET /api/agent/approvals/:id: the requester reads its request's status.
export const GET = withRoute({ auth: "agent", params: ApprovalIdParams }, async ({ app, actor, params }) => readOwnApproval({ app, actor, id: params.id }));

// DELETE /api/agent/approvals/:id: the requester withdraws a pending request (status cancelled).
export const DELETE = withRoute({ auth: "agent", action: "approval.withdraw", params: ApprovalIdParams }, async ({ app, actor, params, audit }) => {
  const approval = await withdrawApproval({ app, actor, id: params.id });
  audit.target = approval.agent;
  return approval;
});
