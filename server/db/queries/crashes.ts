import "server-only";
import { and, desc, eq, gte, inArray, sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "../client";
import { crashRecords } from "../schema";
import { changeNotice, EVENTS_CHANNEL } from "./events";

export type CrashRow = typeof crashRecords.$inferSelect;

/** An agent may print anything; PostgreSQL's jsonb cannot hold a NUL character, so it is stored as U+FFFD. */
const storableLines = (lines: CrashRow["lastLines"]): CrashRow["lastLines"] =>
  lines.map((line) => (line.text.includes("\u0000") ? { ...line, text: line.text.replaceAll("\u0000", "\uFFFD") } : line));

/** Inserts a crash unless this container exit was already recorded (by the event stream, the poll, or a replica). */
export async function insertCrashOnce(db: DbOrTx, row: typeof crashRecords.$inferInsert): Promise<CrashRow | undefined> {
  const inserted = await db
    .insert(crashRecords)
    .values({ ...row, lastLines: storableLines(row.lastLines) })
    .onConflictDoNothing({ target: [crashRecords.containerId, crashRecords.crashedAt] })
    .returning();
  return inserted[0];
}

/**
 * Gives a crash recorded without its last lines (the engine was slow to read them) the lines, once, and tells every
 * dashboard in the same statement. False when the crash is gone or already has lines.
 */
export async function addCrashLines(db: DbOrTx, crash: { id: number; agent: string }, lines: CrashRow["lastLines"]): Promise<boolean> {
  const updated = await queryRows<{ id: number }>(
    db,
    sql`with updated as (
          update ${crashRecords} set last_lines = ${JSON.stringify(storableLines(lines))}::jsonb
          where ${crashRecords.id} = ${crash.id} and jsonb_array_length(${crashRecords.lastLines}) = 0
          returning ${crashRecords.id}
        )
        select id, pg_notify(${EVENTS_CHANNEL}, ${changeNotice({ kind: "crash_lines", agent: crash.agent })}) from updated`,
  );
  return updated.length > 0;
}

export async function countCrashesSince(db: DbOrTx, agent: string, since: Date): Promise<number> {
  const rows = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(crashRecords)
    .where(and(eq(crashRecords.agent, agent), gte(crashRecords.crashedAt, since)));
  return Number(rows[0]?.n ?? 0);
}

export async function crashesOf(db: DbOrTx, agent: string, limit: number): Promise<CrashRow[]> {
  return db.select().from(crashRecords).where(eq(crashRecords.agent, agent)).orderBy(desc(crashRecords.crashedAt)).limit(limit);
}

export type CrashSummary = { agent: string; recentCount: number; total: number; last: CrashRow };

/** Per agent: crashes in the window, all crashes, and the newest one (without reading every row). */
export async function crashSummaries(db: DbOrTx, windowStart: Date): Promise<CrashSummary[]> {
  const counts = await db
    .select({
      agent: crashRecords.agent,
      recent: sql<number>`count(*) filter (where ${crashRecords.crashedAt} >= ${windowStart})::int`,
      total: sql<number>`count(*)::int`,
      lastId: sql<number>`max(${crashRecords.id})::int`,
    })
    .from(crashRecords)
    .groupBy(crashRecords.agent);
  if (counts.length === 0) return [];
  const last = await db
    .select()
    .from(crashRecords)
    .where(inArray(crashRecords.id, counts.map((row) => Number(row.lastId))));
  const byId = new Map(last.map((row) => [row.id, row]));
  return counts.flatMap((row) => {
    const newest = byId.get(Number(row.lastId));
    return newest ? [{ agent: row.agent, recentCount: Number(row.recent), total: Number(row.total), last: newest }] : [];
  });
}

/** The same summary for one agent. */
export async function crashSummaryOf(db: DbOrTx, agent: string, windowStart: Date): Promise<CrashSummary | undefined> {
  const [newest] = await db.select().from(crashRecords).where(eq(crashRecords.agent, agent)).orderBy(desc(crashRecords.crashedAt)).limit(1);
  if (!newest) return undefined;
  const [counts] = await db
    .select({
      recent: sql<number>`count(*) filter (where ${crashRecords.crashedAt} >= ${windowStart})::int`,
      total: sql<number>`count(*)::int`,
    })
    .from(crashRecords)
    .where(eq(crashRecords.agent, agent));
  return { agent, recentCount: Number(counts?.recent ?? 0), total: Number(counts?.total ?? 0), last: newest };
}
