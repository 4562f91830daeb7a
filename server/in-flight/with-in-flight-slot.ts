import "server-only";
import type { HiveContext } from "../context";
import { notifyChange, publishEvent } from "../db/queries/events";
import { claimTransient, releaseTransient, type TransientKind } from "../db/queries/transients";
import { HiveError } from "../errors";
import { measure } from "../log";
import { newId } from "../security/tokens";

export const TRANSIENT_DEADLINE_MS: Record<TransientKind, number> = {
  spawning: 2 * 60_000,
  starting: 2 * 60_000,
  stopping: 2 * 60_000,
  restarting: 2 * 60_000,
  destroying: 2 * 60_000,
  rebuilding: 10 * 60_000,
  // A move copies the agent's whole state volume between two machines.
  moving: 30 * 60_000,
};

export type SlotRequest = {
  agent: string;
  kind: TransientKind;
  /** The verb shown to operators and written to events: "restart", "kill", ... */
  action: string;
  /** Who acts, as written in events ("operator", "system:recovery"). */
  actor: string;
  traceId?: string;
};

/**
 * Resolves after this turn's I/O: a request begun now has been written to its socket. The embedded database runs
 * its statements on this thread, so statements issued beside an engine call would otherwise hold the call back.
 */
export const requestsSent = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs an action while holding the agent's in-flight slot, so a second action on the same agent (another
 * operator, a double click, the recovery loop) gets 409 action_in_flight instead of running too.
 */
export async function withInFlightSlot<T>(ctx: HiveContext, request: SlotRequest, work: () => Promise<T>): Promise<T> {
  const { agent, kind, action, actor } = request;
  const db = ctx.db;
  const claim = await measure("slot", () => claimTransient(db, {
    agent,
    id: newId("act"),
    kind,
    action,
    startedBy: actor,
    deadlineAt: new Date(Date.now() + TRANSIENT_DEADLINE_MS[kind]),
    ownerInstance: ctx.instanceId,
    traceId: request.traceId ?? null,
  }));
  if (!claim.claimed) {
    const holder = claim.holder;
    throw new HiveError(
      "action_in_flight",
      holder
        ? `${holder.action} of ${agent} is already in progress (started by ${holder.startedBy} at ${holder.startedAt.toISOString()})`
        : `another action on ${agent} is in progress`,
      holder ? { action: holder.action, startedBy: holder.startedBy, startedAt: holder.startedAt.toISOString() } : undefined,
    );
  }
  ctx.slots.markHeld(agent);
  const working = measure("work", work);
  // Other dashboards hear of the pill while the engine works; the announcement need not precede the call.
  const started = requestsSent()
    .then(() => notifyChange(db, { kind: "action_started", agent }))
    .catch((error: Error) => ctx.logger.warn({ agent, err: error.message }, "could not announce the action"));
  let failed: unknown;
  try {
    return await working;
  } catch (error) {
    failed = error;
    throw error;
  } finally {
    await started;
    ctx.slots.markReleased(agent);
    // Success only tells other dashboards to refresh, in the statement that frees the slot. The engine may have acted
    // already: through a database outage the release is kept and retried, so the pill ends when the database is back.
    const finished = failed ? undefined : { kind: "action_finished", agent };
    await measure("release", () =>
      ctx.writeRetry.run("release in-flight slot", () => releaseTransient(db, agent, claim.row.id, finished), { agent, action }),
    ).catch((error: Error) => ctx.logger.error({ agent, err: error.message }, "could not release the in-flight slot; the reclaimer will"));
    if (failed) {
      // A failure is part of the record: it is in the activity feed before the caller hears of it.
      const error = (failed as Error).message;
      await ctx.writeRetry
        .run("action failed event", () => publishEvent(db, { kind: "action_failed", agent, actor, detail: { action, error } }), { agent, action })
        .catch(() => undefined);
    }
  }
}
