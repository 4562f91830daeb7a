import "server-only";
import { and, asc, desc, eq, gte, lt, lte, sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "../client";
import { agentStateLog, agentUptimeHourly, uptimeWatch } from "../schema";

export type StateLogRow = typeof agentStateLog.$inferSelect;
export type NewStateLogRow = typeof agentStateLog.$inferInsert;
export type UptimeBucketRow = typeof agentUptimeHourly.$inferSelect;
const WATCH_ID = "leader";
/** The reason of the transition that ends an agent's log: destroyed, or gone from the engine and the database. */
export const GONE_REASON = "gone";

export async function appendStateTransitions(db: DbOrTx, rows: NewStateLogRow[]): Promise<void> {
  if (rows.length) await db.insert(agentStateLog).values(rows);
}

/** Each agent's last logged state. */
export async function latestStates(db: DbOrTx): Promise<Map<string, { state: StateLogRow["state"]; at: Date; reason: string }>> {
  const rows = await queryRows<{ agent: string; state: StateLogRow["state"]; at: Date | string; reason: string }>(
    db,
    sql`select distinct on (agent) agent, state, at, reason from agent_state_log order by agent, at desc, id desc`,
  );
  return new Map(rows.map((row) => [row.agent, { state: row.state, at: new Date(row.at), reason: row.reason }]));
}

/** The transition in force at `from` (the last at or before it) and those after it, up to `to`, in order. */
export async function stateLogBetween(db: DbOrTx, agent: string, from: Date, to: Date): Promise<{ before: StateLogRow | null; within: StateLogRow[] }> {
  const [before] = await db
    .select()
    .from(agentStateLog)
    .where(and(eq(agentStateLog.agent, agent), lte(agentStateLog.at, from)))
    .orderBy(desc(agentStateLog.at), desc(agentStateLog.id))
    .limit(1);
  const within = await db
    .select()
    .from(agentStateLog)
    .where(and(eq(agentStateLog.agent, agent), sql`${agentStateLog.at} > ${from}`, lt(agentStateLog.at, to)))
    .orderBy(asc(agentStateLog.at), asc(agentStateLog.id));
  return { before: before ?? null, within };
}

/**
 * Per agent with a log: the first hour still to compute (after its last complete bucket, else its first
 * transition's), and when it was last seen gone (its last transition's, if that says so), after which nothing is.
 */
export async function uptimeWork(db: DbOrTx): Promise<{ agent: string; from: Date; goneAt: Date | null }[]> {
  const rows = await queryRows<{ agent: string; first_at: Date | string; done_until: Date | string | null; gone_at: Date | string | null }>(
    db,
    sql`select l.agent, min(l.at) as first_at,
          (select max(h.hour_start) + interval '1 hour' from agent_uptime_hourly h where h.agent = l.agent and h.is_complete) as done_until,
          (select case when last.reason = ${GONE_REASON} then last.at end from agent_state_log last
             where last.agent = l.agent order by last.at desc, last.id desc limit 1) as gone_at
        from agent_state_log l group by l.agent`,
  );
  return rows.map((row) => ({ agent: row.agent, from: new Date(row.done_until ?? row.first_at), goneAt: row.gone_at ? new Date(row.gone_at) : null }));
}

export async function upsertUptimeBuckets(db: DbOrTx, rows: (typeof agentUptimeHourly.$inferInsert)[]): Promise<void> {
  for (let index = 0; index < rows.length; index += 500) await upsertChunk(db, rows.slice(index, index + 500));
}

async function upsertChunk(db: DbOrTx, rows: (typeof agentUptimeHourly.$inferInsert)[]): Promise<void> {
  await db
    .insert(agentUptimeHourly)
    .values(rows)
    .onConflictDoUpdate({
      target: [agentUptimeHourly.agent, agentUptimeHourly.hourStart],
      set: {
        secondsUp: sql`excluded.seconds_up`,
        secondsKnown: sql`excluded.seconds_known`,
        secondsStopped: sql`excluded.seconds_stopped`,
        isComplete: sql`excluded.is_complete`,
        computedAt: sql`excluded.computed_at`,
      },
    });
}

export async function uptimeBuckets(db: DbOrTx, agent: string, from: Date, to: Date): Promise<UptimeBucketRow[]> {
  return db
    .select()
    .from(agentUptimeHourly)
    .where(and(eq(agentUptimeHourly.agent, agent), gte(agentUptimeHourly.hourStart, from), lt(agentUptimeHourly.hourStart, to)))
    .orderBy(asc(agentUptimeHourly.hourStart));
}

/** Every agent's sums over complete and partial buckets in [from, to). */
export async function fleetUptimeSums(db: DbOrTx, from: Date, to: Date): Promise<{ agent: string; secondsUp: number; secondsKnown: number; secondsStopped: number }[]> {
  const rows = await queryRows<{ agent: string; up: string | number; known: string | number; stopped: string | number }>(
    db,
    sql`select agent, sum(seconds_up) as up, sum(seconds_known) as known, sum(seconds_stopped) as stopped
        from agent_uptime_hourly where hour_start >= ${from} and hour_start < ${to} group by agent`,
  );
  return rows.map((row) => ({ agent: row.agent, secondsUp: Number(row.up), secondsKnown: Number(row.known), secondsStopped: Number(row.stopped) }));
}

export async function hasUptimeLog(db: DbOrTx, agent: string): Promise<boolean> {
  const rows = await db.select({ id: agentStateLog.id }).from(agentStateLog).where(eq(agentStateLog.agent, agent)).limit(1);
  return rows.length > 0;
}

export async function readUptimeWatch(db: DbOrTx): Promise<Date | null> {
  const [row] = await db.select().from(uptimeWatch).where(eq(uptimeWatch.id, WATCH_ID)).limit(1);
  return row?.watchedUntil ?? null;
}

export async function writeUptimeWatch(db: DbOrTx, watchedUntil: Date, instance: string): Promise<void> {
  await db
    .insert(uptimeWatch)
    .values({ id: WATCH_ID, watchedUntil, instance })
    .onConflictDoUpdate({ target: uptimeWatch.id, set: { watchedUntil, instance } });
}

/**
 * Drops buckets before `cutoff`, and log rows before it except each agent's last one there (it says what state the
 * agent was in at the cutoff). Returns how many of each went.
 */
export async function purgeUptimeBefore(db: DbOrTx, cutoff: Date): Promise<{ buckets: number; transitions: number }> {
  const buckets = await db.delete(agentUptimeHourly).where(lt(agentUptimeHourly.hourStart, cutoff)).returning({ agent: agentUptimeHourly.agent });
  const transitions = await queryRows<{ id: number }>(
    db,
    sql`delete from agent_state_log l where l.at < ${cutoff} and exists (
          select 1 from agent_state_log n where n.agent = l.agent and n.at < ${cutoff} and (n.at, n.id) > (l.at, l.id))
        returning l.id`,
  );
  return { buckets: buckets.length, transitions: transitions.length };
}
