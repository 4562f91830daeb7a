import "server-only";
import type { ServiceCall } from "../../context";
import { describeActor } from "../../contracts/actors";
import type { ApprovalView } from "../../contracts/approvals";
import { findAgent } from "../../db/queries/agents";
import { insertApproval, pendingSpawnFor } from "../../db/queries/approvals";
import { publishEvent } from "../../db/queries/events";
import { HiveError } from "../../errors";
import { newId } from "../../security/tokens";
import { toApprovalView } from "../../views/approvals";
import { requireTombstone } from "./internal/require-tombstone";
import { TombstoneTarget } from "./internal/tombstone-inputs";

/**
 * Revive queues a spawn approval with the same name and the prior config; once approved, the new container
 * mounts the kept state volume. Asking again while one waits returns the waiting request.
 */
export async function reviveTombstone({ ctx, input }: ServiceCall<TombstoneTarget>): Promise<{ approval: ApprovalView; created: boolean }> {
  const { name } = TombstoneTarget.parse(input);
  const actor = describeActor(ctx.actor);
  await requireTombstone(ctx, name);
  const db = ctx.db;
  const waiting = await pendingSpawnFor(db, name);
  if (waiting) return { approval: toApprovalView(waiting), created: false };
  const stored = await findAgent(db, name);
  if (!stored?.config) {
    throw new HiveError("conflict", `no stored config for ${name}: spawn it anew with New agent (the state volume is reused)`);
  }
  const row = await insertApproval(db, {
    id: newId("apr"),
    kind: "spawn",
    agent: name,
    role: stored.role,
    requestedBy: actor,
    requesterKind: "operator",
    description: `Revive ${name} with its kept state volume and its prior config.`,
    config: stored.config,
    revive: true,
  });
  await publishEvent(db, { kind: "approval_requested", agent: name, actor, detail: { approvalId: row.id, approvalKind: "spawn", revive: true }, ref: row.id });
  return { approval: toApprovalView(row), created: true };
}
