import "server-only";
import { and, desc, eq, isNotNull, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { approvals } from "../schema";

export type ApprovalRow = typeof approvals.$inferSelect;

export async function insertApproval(db: DbOrTx, row: typeof approvals.$inferInsert): Promise<ApprovalRow> {
  const [inserted] = await db.insert(approvals).values(row).returning();
  return inserted!;
}

export async function findApproval(db: DbOrTx, id: string): Promise<ApprovalRow | undefined> {
  const rows = await db.select().from(approvals).where(eq(approvals.id, id)).limit(1);
  return rows[0];
}

/** Moves a pending request to a decision; only the first caller gets the row back. */
export async function decidePending(
  db: DbOrTx,
  id: string,
  decision: { status: "approved" | "denied" | "cancelled"; decidedBy: string; note?: string | null },
): Promise<ApprovalRow | undefined> {
  const rows = await db
    .update(approvals)
    .set({ status: decision.status, decidedBy: decision.decidedBy, decidedAt: sql`now()`, note: decision.note ?? null })
    .where(and(eq(approvals.id, id), eq(approvals.status, "pending")))
    .returning();
  return rows[0];
}

export async function markFailed(db: DbOrTx, id: string, failure: string): Promise<void> {
  await db.update(approvals).set({ status: "failed", failure }).where(eq(approvals.id, id));
}

export async function listPendingApprovals(db: DbOrTx): Promise<ApprovalRow[]> {
  return db.select().from(approvals).where(eq(approvals.status, "pending")).orderBy(approvals.createdAt);
}

export async function listRecentDecided(db: DbOrTx, limit: number): Promise<ApprovalRow[]> {
  return db.select().from(approvals).where(isNotNull(approvals.decidedAt)).orderBy(desc(approvals.decidedAt)).limit(limit);
}

export async function pendingSpawnFor(db: DbOrTx, agent: string): Promise<ApprovalRow | undefined> {
  const rows = await db
    .select()
    .from(approvals)
    .where(and(eq(approvals.agent, agent), eq(approvals.kind, "spawn"), eq(approvals.status, "pending")))
    .limit(1);
  return rows[0];
}
