import { RequestApprovalInput } from "@/server/contracts/approvals";
import { withRoute } from "@/server/http/with-route";
import { requestApproval } from "@/server/services/approvals/request-approval";

export const dynamic = "force-dynamic";

// POST /api/agent/approvals { kind: "spawn" | "config_change", name, config, description, role? }: manager agents only.
export const POST = withRoute({ auth: "agent", action: "approval.request", body: RequestApprovalInput }, async ({ ctx, body, audit }) => {
  audit.target = body.name;
  const approval = await requestApproval({ ctx, input: body });
  audit.detail = { approvalId: approval.id, kind: approval.kind };
  return Response.json(approval, { status: 201 });
});
