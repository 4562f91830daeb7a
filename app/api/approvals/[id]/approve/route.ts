import { ApprovalIdParams } from "@/server/contracts/approvals";
import { withRoute } from "@/server/http/with-route";
import { approveApproval } from "@/server/services/approvals/approve-approval";

export const dynamic = "force-dynamic";

// POST /api/approvals/:id/approve: executes the request once (spawn, or store config and rebuild).
export const POST = withRoute({ auth: "operator", action: "approval.approve", params: ApprovalIdParams }, async ({ ctx, params, audit }) => {
  const result = await approveApproval({ ctx, input: { id: params.id } });
  audit.target = result.approval.agent;
  audit.detail = { approvalId: params.id, status: result.approval.status, failure: result.approval.failure };
  return result;
});
