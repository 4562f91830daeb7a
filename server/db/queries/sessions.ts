import "server-only";
import { and, eq, gt, isNull, lt, or, isNotNull } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { operatorSessions } from "../schema";
import { notifyRevoked } from "./revocations";

export async function insertSession(
  db: DbOrTx,
  session: { id: string; subject: string; expiresAt: Date; userAgent: string | null },
): Promise<void> {
  await db.insert(operatorSessions).values(session);
}

export async function findLiveSession(db: DbOrTx, id: string, now: Date) {
  const rows = await db
    .select()
    .from(operatorSessions)
    .where(and(eq(operatorSessions.id, id), isNull(operatorSessions.revokedAt), gt(operatorSessions.expiresAt, now)))
    .limit(1);
  return rows[0];
}

export async function revokeSession(db: DbOrTx, id: string, now: Date): Promise<void> {
  const rows = await db
    .update(operatorSessions)
    .set({ revokedAt: now })
    .where(and(eq(operatorSessions.id, id), isNull(operatorSessions.revokedAt)))
    .returning({ id: operatorSessions.id });
  await notifyRevoked(db, { sessions: rows.map((row) => row.id) });
}

export async function revokeAllSessions(db: DbOrTx, now: Date): Promise<void> {
  const rows = await db.update(operatorSessions).set({ revokedAt: now }).where(isNull(operatorSessions.revokedAt)).returning({ id: operatorSessions.id });
  await notifyRevoked(db, { sessions: rows.map((row) => row.id) });
}

/** Drops sessions that expired or were revoked more than a day ago. */
export async function deleteDeadSessions(db: DbOrTx, now: Date): Promise<void> {
  const dayAgo = new Date(now.getTime() - 86_400_000);
  await db
    .delete(operatorSessions)
    .where(or(lt(operatorSessions.expiresAt, now), and(isNotNull(operatorSessions.revokedAt), lt(operatorSessions.revokedAt, dayAgo))));
}
