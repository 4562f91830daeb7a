import { ApprovalIdParams, DenyApprovalInput } from "@/server/contracts/approvals";
import { withRoute } from "@/server/http/with-route";
import { denyApproval } from "@/server/services/approvals/deny-approval";

export const dynamic = "force-dynamic";

// POST /api/approvals/:id/deny { note? }
export const POST = withRoute(
  { auth: "operator", action: "approval.deny", params: ApprovalIdParams, body: DenyApprovalInput },
  async ({ ctx, params, body, audit }) => {
    const result = await denyApproval({ ctx, input: { id: params.id, note: body.note } });
    audit.target = result.approval.agent;
    audit.detail = { approvalId: params.id };
    return result;
  },
);
