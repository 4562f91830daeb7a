import "server-only";
import type { HiveApp } from "../app";
import type { ApprovalView } from "../contracts/approvals";
import { revokeTokensOfAgent } from "../db/queries/agent-tokens";
import { deleteAgent, findAgent } from "../db/queries/agents";
import { insertApproval, pendingSpawnFor } from "../db/queries/approvals";
import { publishEvent } from "../db/queries/events";
import { HiveError } from "../errors";
import { newId } from "../security/tokens";
import { toApprovalView } from "../views/approvals";
import { requireRuntime } from "./require-runtime";

/** The tombstone of `name`: one of our state volumes with no container; else 409 (live) or 404. */
async function requireTombstone(app: HiveApp, name: string) {
  const runtime = requireRuntime(app);
  app.volumes.invalidate();
  const volume = (await app.volumes.list()).find((entry) => entry.name === name);
  if (await runtime.inspectAgent(name)) {
    throw new HiveError("conflict", `a live container of agent ${name} exists; destroy it first`);
  }
  if (!volume) throw new HiveError("tombstone_not_found", `no tombstone named ${name}`);
  return volume;
}

/**
 * Revive queues a spawn approval with the same name and the prior config; once approved, the new container
 * mounts the kept state volume. Asking again while one waits returns the waiting request.
 */
export async function reviveTombstone({ app, actor, name }: { app: HiveApp; actor: string; name: string }): Promise<{ approval: ApprovalView; created: boolean }> {
  await requireTombstone(app, name);
  const db = app.database.db;
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

/** Purge deletes the state volume, the stored config and the tokens for good. Crash records stay. */
export async function purgeTombstone({ app, actor, name }: { app: HiveApp; actor: string; name: string }) {
  await requireTombstone(app, name);
  const db = app.database.db;
  await app.runtime.removeStateVolume(name);
  app.volumes.invalidate();
  await revokeTokensOfAgent(db, name, new Date());
  await deleteAgent(db, name);
  await publishEvent(db, { kind: "tombstone_purged", agent: name, actor });
  return { name, purged: true };
}
