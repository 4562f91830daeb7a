import "server-only";
import { and, asc, eq, gt, isNotNull, isNull, lt, lte, sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "../client";
import { agentEvents } from "../schema";
import { EVENTS_CHANNEL } from "./events";

export type AgentEventRow = typeof agentEvents.$inferSelect;
export type NewAgentEvent = { agent: string; kind: AgentEventRow["kind"]; payload: Record<string, unknown>; ref?: string | null };

/** Puts an event in an agent's inbox and wakes whoever follows that inbox (on any replica), in one statement. */
export async function enqueueAgentEvent(db: DbOrTx, event: NewAgentEvent): Promise<{ id: number }> {
  const [row] = await queryRows<{ id: number }>(
    db,
    sql`with inserted as (
          insert into ${agentEvents} (agent, kind, payload, ref)
          values (${event.agent}, ${event.kind}, ${JSON.stringify(event.payload)}::jsonb, ${event.ref ?? null})
          returning id, agent, created_at)
        select id, pg_notify(${EVENTS_CHANNEL}, json_build_object(
          'id', 0, 'kind', 'inbox', 'agent', agent, 'ref', id::text,
          'at', to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text)
        from inserted`,
  );
  return { id: Number(row!.id) };
}

export async function inboxAfter(db: DbOrTx, agent: string, afterId: number, limit: number): Promise<AgentEventRow[]> {
  return db
    .select()
    .from(agentEvents)
    .where(and(eq(agentEvents.agent, agent), gt(agentEvents.id, afterId)))
    .orderBy(asc(agentEvents.id))
    .limit(limit);
}

/** The agent's delivery receipt: everything up to `upTo` is marked delivered (once). */
export async function acknowledge(db: DbOrTx, agent: string, upTo: number): Promise<number> {
  const rows = await db
    .update(agentEvents)
    .set({ deliveredAt: sql`now()` })
    .where(and(eq(agentEvents.agent, agent), lte(agentEvents.id, upTo), isNull(agentEvents.deliveredAt)))
    .returning({ id: agentEvents.id });
  return rows.length;
}

/**
 * Retention: delivered events older than `maxAge` go, then delivered events beyond the newest `keep` per
 * agent. Undelivered events are never deleted.
 */
export async function pruneDelivered(db: DbOrTx, olderThan: Date, keep: number): Promise<{ aged: number; trimmed: number }> {
  const aged = await db
    .delete(agentEvents)
    .where(and(isNotNull(agentEvents.deliveredAt), lt(agentEvents.createdAt, olderThan)))
    .returning({ id: agentEvents.id });
  const trimmed = await db.execute(sql`
    delete from ${agentEvents} where ${agentEvents.id} in (
      select id from (
        select id, delivered_at, row_number() over (partition by agent order by id desc) as rank from ${agentEvents}
      ) ranked where ranked.rank > ${keep} and ranked.delivered_at is not null
    ) returning id`);
  return { aged: aged.length, trimmed: (trimmed as unknown as { rows: unknown[] }).rows.length };
}
