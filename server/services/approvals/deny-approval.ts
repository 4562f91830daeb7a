import "server-only";
import type { z } from "zod";
import type { ServiceCall } from "../../context";
import type { OperatorActor } from "../../contracts/actors";
import { DenyApprovalInput } from "../../contracts/approvals";
import { toApprovalView } from "../../views/approvals";
import { ApprovalTarget } from "./internal/approval-inputs";
import { announceDecision, decideOnce } from "./internal/decide";

export const DenyInput = ApprovalTarget.extend(DenyApprovalInput.shape);
export type DenyInput = z.infer<typeof DenyInput>;

/** The operator denies a pending request, with an optional note for the requester. */
export async function denyApproval({ ctx, input }: ServiceCall<DenyInput, OperatorActor>) {
  const { id, note } = DenyInput.parse(input);
  const row = await decideOnce(ctx.db, id, { status: "denied", decidedBy: ctx.actor.name, note: note || null });
  await announceDecision(ctx.db, row, ctx.actor.name);
  return { approval: toApprovalView(row) };
}
