import "server-only";
import { and, eq, gt, lt, ne, notInArray, sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "../client";
import { instances, transients } from "../schema";
import { changeNotice, EVENTS_CHANNEL } from "./events";

export type TransientRow = typeof transients.$inferSelect;
export type TransientKind = TransientRow["kind"];

/** Takes the agent's in-flight slot; returns the holder instead when another action has it. */
export async function claimTransient(
  db: DbOrTx,
  row: typeof transients.$inferInsert,
): Promise<{ claimed: true; row: TransientRow } | { claimed: false; holder: TransientRow | undefined }> {
  const inserted = await db.insert(transients).values(row).onConflictDoNothing({ target: transients.agent }).returning();
  if (inserted[0]) return { claimed: true, row: inserted[0] };
  const holder = await db.select().from(transients).where(eq(transients.agent, row.agent)).limit(1);
  return { claimed: false, holder: holder[0] };
}

/**
 * Frees the slot only if it is still ours (an operator may have cleared a stuck one meanwhile). With `announce`,
 * the same statement tells every dashboard (NOTIFY) when it did free it.
 */
export async function releaseTransient(
  db: DbOrTx,
  agent: string,
  id: string,
  announce?: { kind: string; agent: string | null },
): Promise<boolean> {
  const mine = and(eq(transients.agent, agent), eq(transients.id, id));
  if (!announce) return (await db.delete(transients).where(mine).returning({ id: transients.id })).length > 0;
  const released = await queryRows<{ id: string }>(
    db,
    sql`with released as (delete from ${transients} where ${mine} returning ${transients.id})
        select id, pg_notify(${EVENTS_CHANNEL}, ${changeNotice(announce)}) from released`,
  );
  return released.length > 0;
}

export async function clearTransient(db: DbOrTx, agent: string): Promise<TransientRow | undefined> {
  const deleted = await db.delete(transients).where(eq(transients.agent, agent)).returning();
  return deleted[0];
}

export async function listTransients(db: DbOrTx): Promise<TransientRow[]> {
  return db.select().from(transients);
}

/** Transients whose owning process stopped heartbeating (or is gone): they will never be cleared by it. */
export async function deleteOrphanedTransients(db: DbOrTx, staleBefore: Date, selfId: string): Promise<TransientRow[]> {
  const alive = db.select({ id: instances.id }).from(instances).where(sql`${instances.heartbeatAt} >= ${staleBefore}`);
  return db
    .delete(transients)
    .where(and(ne(transients.ownerInstance, selfId), notInArray(transients.ownerInstance, alive)))
    .returning();
}

export async function registerInstance(db: DbOrTx, row: { id: string; hostname: string; pid: number }): Promise<void> {
  await db.insert(instances).values(row).onConflictDoUpdate({ target: instances.id, set: { heartbeatAt: new Date() } });
}

export async function removeInstance(db: DbOrTx, id: string): Promise<void> {
  await db.delete(instances).where(eq(instances.id, id));
}

/** Dashboard processes that heartbeated after `since` (alive, as far as the database knows). */
export async function listLiveInstances(db: DbOrTx, since: Date) {
  return db.select().from(instances).where(gt(instances.heartbeatAt, since));
}

export async function deleteStaleInstances(db: DbOrTx, before: Date): Promise<void> {
  await db.delete(instances).where(lt(instances.heartbeatAt, before));
}
