import "server-only";
import { desc, lt, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { events } from "../schema";

export const EVENTS_CHANNEL = "hive_events";
export type EventRow = typeof events.$inferSelect;
export type NewEvent = { kind: string; agent?: string | null; actor: string; detail?: Record<string, unknown> };
/** What NOTIFY carries: enough for a browser to know what changed; the state endpoint has the rest. */
export type EventNotice = { id: number; kind: string; agent: string | null; at: string; ref?: string };

/** Records an event and announces it to every replica (NOTIFY is delivered when the transaction commits). */
export async function publishEvent(db: DbOrTx, event: NewEvent & { ref?: string }): Promise<EventRow> {
  const [row] = await db
    .insert(events)
    .values({ kind: event.kind, agent: event.agent ?? null, actor: event.actor, detail: event.detail ?? {} })
    .returning();
  const notice: EventNotice = { id: row!.id, kind: row!.kind, agent: row!.agent, at: row!.at.toISOString(), ...(event.ref ? { ref: event.ref } : {}) };
  await db.execute(sql`select pg_notify(${EVENTS_CHANNEL}, ${JSON.stringify(notice)})`);
  return row!;
}

/**
 * Announces a change without recording it (an action starting or finishing): browsers refetch, the activity
 * feed is not cluttered. Carries id 0.
 */
export async function notifyChange(db: DbOrTx, change: { kind: string; agent: string | null }): Promise<void> {
  await db.execute(sql`select pg_notify(${EVENTS_CHANNEL}, ${changeNotice(change)})`);
}

/** The NOTIFY payload of an unrecorded change, for statements that announce as they write. */
export function changeNotice(change: { kind: string; agent: string | null }): string {
  const notice: EventNotice = { id: 0, kind: change.kind, agent: change.agent, at: new Date().toISOString() };
  return JSON.stringify(notice);
}

export async function recentEvents(db: DbOrTx, limit: number): Promise<EventRow[]> {
  return db.select().from(events).orderBy(desc(events.id)).limit(limit);
}

export async function deleteEventsBefore(db: DbOrTx, before: Date): Promise<number> {
  const deleted = await db.delete(events).where(lt(events.at, before)).returning({ id: events.id });
  return deleted.length;
}
