import "server-only";
import { and, eq, isNotNull, isNull, lte, notExists, notInArray, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { type AgentConfig, agents, transients } from "../schema";

export type AgentRow = typeof agents.$inferSelect;

export async function findAgent(db: DbOrTx, name: string): Promise<AgentRow | undefined> {
  const rows = await db.select().from(agents).where(eq(agents.name, name)).limit(1);
  return rows[0];
}

export async function listAgentRows(db: DbOrTx): Promise<AgentRow[]> {
  return db.select().from(agents);
}

/** Creates or replaces an agent's record at spawn: new config, desired running, no tombstone, no crash loop. */
export async function upsertSpawnedAgent(
  db: DbOrTx,
  row: { name: string; role: "agent" | "manager"; config: AgentConfig; actor: string },
): Promise<void> {
  const now = new Date();
  await db
    .insert(agents)
    .values({ name: row.name, role: row.role, config: row.config, desiredState: "running", desiredChangedBy: row.actor, desiredChangedAt: now })
    .onConflictDoUpdate({
      target: agents.name,
      set: {
        role: row.role,
        config: row.config,
        desiredState: "running",
        desiredChangedBy: row.actor,
        desiredChangedAt: now,
        destroyedAt: null,
        crashLoopingSince: null,
        nextRestartAt: null,
        restartAttempt: 0,
      },
    });
}

/** Records an agent first seen in the engine (created outside the dashboard) with its observed state as desired. */
export async function adoptAgent(db: DbOrTx, name: string, desiredState: "running" | "stopped"): Promise<void> {
  await db
    .insert(agents)
    .values({ name, desiredState, desiredChangedBy: "adopted", config: null })
    .onConflictDoNothing({ target: agents.name });
}

export async function setConfig(db: DbOrTx, name: string, config: AgentConfig): Promise<void> {
  await db.update(agents).set({ config }).where(eq(agents.name, name));
}

/** An operator's decision: the only way desired state changes. It also ends a crash loop and pending restarts. */
export async function setDesiredState(db: DbOrTx, name: string, desiredState: "running" | "stopped", actor: string): Promise<AgentRow> {
  const now = new Date();
  const [row] = await db
    .insert(agents)
    .values({ name, desiredState, desiredChangedBy: actor, desiredChangedAt: now })
    .onConflictDoUpdate({
      target: agents.name,
      set: { desiredState, desiredChangedBy: actor, desiredChangedAt: now, crashLoopingSince: null, nextRestartAt: null, restartAttempt: 0 },
    })
    .returning();
  return row!;
}

export async function markDestroyed(db: DbOrTx, name: string, at: Date): Promise<void> {
  await db
    .update(agents)
    .set({ destroyedAt: at, nextRestartAt: null, crashLoopingSince: null })
    .where(eq(agents.name, name));
}

export async function deleteAgent(db: DbOrTx, name: string): Promise<void> {
  await db.delete(agents).where(eq(agents.name, name));
}

export async function scheduleRestart(db: DbOrTx, name: string, at: Date, attempt: number): Promise<void> {
  await db.update(agents).set({ nextRestartAt: at, restartAttempt: attempt }).where(eq(agents.name, name));
}

export async function markCrashLooping(db: DbOrTx, name: string, since: Date): Promise<void> {
  await db.update(agents).set({ crashLoopingSince: since, nextRestartAt: null }).where(eq(agents.name, name));
}

export async function clearScheduledRestart(db: DbOrTx, name: string): Promise<void> {
  await db.update(agents).set({ nextRestartAt: null }).where(eq(agents.name, name));
}

/**
 * Agents the recovery may restart: meant to run, not destroyed, not crash-looping, and with no action in flight (an
 * operator's action decides, and a recovery already under way is not begun again), nor among `queued` (the
 * recovery's own queue).
 */
const awaitingRecovery = (queued: readonly string[]) =>
  and(
    eq(agents.desiredState, "running"),
    isNull(agents.destroyedAt),
    isNull(agents.crashLoopingSince),
    notExists(sql`(select 1 from ${transients} where ${transients.agent} = ${agents.name})`),
    queued.length > 0 ? notInArray(agents.name, [...queued]) : undefined,
  );

/** Agents whose backoff restart is due (and that the recovery may restart). */
export async function dueRestarts(db: DbOrTx, now: Date, queued: readonly string[] = []): Promise<AgentRow[]> {
  return db
    .select()
    .from(agents)
    .where(and(isNotNull(agents.nextRestartAt), lte(agents.nextRestartAt, now), awaitingRecovery(queued)))
    .orderBy(agents.nextRestartAt);
}

/** When the next restart is due; an agent with an action in flight, or queued, is not waited for. */
export async function nextDueRestart(db: DbOrTx, queued: readonly string[] = []): Promise<Date | null> {
  const rows = await db
    .select({ at: sql<Date | null>`min(${agents.nextRestartAt})` })
    .from(agents)
    .where(awaitingRecovery(queued));
  const at = rows[0]?.at;
  return at ? new Date(at) : null;
}

export async function resetRestartBackoff(db: DbOrTx, name: string): Promise<void> {
  await db.update(agents).set({ restartAttempt: 0, nextRestartAt: null }).where(eq(agents.name, name));
}
