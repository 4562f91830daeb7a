import "server-only";
import { ApprovalStatusInput } from "../../contracts/agent-tools";
import { type ApprovalView, ApprovalView as ApprovalAnswer, ConfigChangeRequestInput, SpawnRequestInput } from "../../contracts/approvals";
import { readOwnApproval } from "../../services/approvals/read-own-approval";
import { requestApproval } from "../../services/approvals/request-approval";
import { defineTool } from "../tool";

const MANAGERS_ONLY = "Managers only (anyone else gets a forbidden error). ";

function describeApproval(approval: ApprovalView): string {
  const what = approval.kind === "spawn" ? `Spawn of ${approval.agent}` : `Config change of ${approval.agent}`;
  if (approval.status === "pending") {
    return `${what} awaits the operator's decision (request ${approval.id}). Check with approval_status, or wait for approval_resolved in your inbox.`;
  }
  const note = approval.note ? ` Note: ${approval.note}` : "";
  const failure = approval.failure ? ` It failed: ${approval.failure}` : "";
  return `${what} is ${approval.status} (request ${approval.id}).${note}${failure}`;
}

const auditRequest = { action: "approval.request", target: (input: { name: string }) => input.name, detail: (approval: ApprovalView) => ({ approvalId: approval.id, kind: approval.kind }) };

export const requestSpawn = defineTool({
  name: "request_spawn",
  title: "Request a new agent",
  description:
    MANAGERS_ONLY +
    "Ask the operator to create a new agent: its name, config (image, and optionally cmd, env, memoryMb, cpus, " +
    'network), role ("agent" or "manager") and a description saying why. Nothing is created until the operator ' +
    "approves; the answer is the pending request. Its decision comes as approval_resolved in your inbox.",
  input: SpawnRequestInput,
  output: ApprovalAnswer,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  audit: auditRequest,
  run: ({ ctx, input }) => requestApproval({ ctx, input: { kind: "spawn", ...input } }),
  summary: describeApproval,
});

export const requestConfigChange = defineTool({
  name: "request_config_change",
  title: "Request a config change",
  description:
    MANAGERS_ONLY +
    "Propose a whole new config for an existing agent (image, cmd, env, memoryMb, cpus, network) with a description " +
    'saying why; an env entry {"keep": true} keeps that variable\'s current value (secrets you cannot read). The ' +
    "operator reviews it as a diff; once approved, the agent is rebuilt with it. The answer is the pending request.",
  input: ConfigChangeRequestInput,
  output: ApprovalAnswer,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  audit: auditRequest,
  run: ({ ctx, input }) => requestApproval({ ctx, input: { kind: "config_change", ...input } }),
  summary: describeApproval,
});

export const approvalStatus = defineTool({
  name: "approval_status",
  title: "Approval status",
  description: "The status of a spawn or config change you requested: pending, approved, denied (with the operator's note), failed or cancelled.",
  input: ApprovalStatusInput,
  output: ApprovalAnswer,
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  run: ({ ctx, input }) => readOwnApproval({ ctx, input: { id: input.id } }),
  summary: describeApproval,
});
