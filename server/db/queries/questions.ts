import "server-only";
import { and, asc, desc, eq, inArray, isNotNull, lte, min, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { agentEvents, questions } from "../schema";

export type QuestionRow = typeof questions.$inferSelect;
export type Resolution = { status: "answered" | "expired" | "cancelled" | "retracted"; answer: string; answeredBy: string };

/** Inserts a question, or returns the one an earlier request with the same idempotency key created. */
export async function insertQuestion(db: DbOrTx, row: typeof questions.$inferInsert): Promise<{ row: QuestionRow; created: boolean }> {
  const inserted = await db
    .insert(questions)
    .values(row)
    .onConflictDoNothing({ target: [questions.agent, questions.idempotencyKey] })
    .returning();
  if (inserted[0]) return { row: inserted[0], created: true };
  const [existing] = await db
    .select()
    .from(questions)
    .where(and(eq(questions.agent, row.agent), eq(questions.idempotencyKey, row.idempotencyKey!)))
    .limit(1);
  return { row: existing!, created: false };
}

export async function findQuestion(db: DbOrTx, id: string): Promise<QuestionRow | undefined> {
  const rows = await db.select().from(questions).where(eq(questions.id, id)).limit(1);
  return rows[0];
}

/** The one conditional update every resolution goes through: it changes a row only while it is pending. */
export async function resolvePending(db: DbOrTx, id: string, resolution: Resolution): Promise<QuestionRow | undefined> {
  const rows = await db
    .update(questions)
    .set({ status: resolution.status, answer: resolution.answer, answeredBy: resolution.answeredBy, resolvedAt: sql`now()` })
    .where(and(eq(questions.id, id), eq(questions.status, "pending")))
    .returning();
  return rows[0];
}

/** Expires every pending question whose deadline has passed (the same conditional update, in bulk). */
export async function expireOverdue(db: DbOrTx): Promise<QuestionRow[]> {
  return db
    .update(questions)
    .set({ status: "expired", answer: "[expired]", answeredBy: "system:expiry", resolvedAt: sql`now()` })
    .where(and(eq(questions.status, "pending"), isNotNull(questions.deadlineAt), lte(questions.deadlineAt, sql`now()`)))
    .returning();
}

export async function nextDeadline(db: DbOrTx): Promise<Date | null> {
  const rows = await db
    .select({ at: min(questions.deadlineAt) })
    .from(questions)
    .where(and(eq(questions.status, "pending"), isNotNull(questions.deadlineAt)));
  const at = rows[0]?.at;
  return at ? new Date(at) : null;
}

export async function listPendingQuestions(db: DbOrTx): Promise<QuestionRow[]> {
  return db.select().from(questions).where(eq(questions.status, "pending")).orderBy(asc(questions.createdAt));
}

export async function listRecentResolved(db: DbOrTx, limit: number): Promise<QuestionRow[]> {
  return db
    .select()
    .from(questions)
    .where(isNotNull(questions.resolvedAt))
    .orderBy(desc(questions.resolvedAt))
    .limit(limit);
}

/** Which of these questions' answers the asking agent has acknowledged receiving. */
export async function receiptsFor(db: DbOrTx, questionIds: string[]): Promise<Map<string, Date | null>> {
  if (questionIds.length === 0) return new Map();
  const rows = await db
    .select({ ref: agentEvents.ref, deliveredAt: agentEvents.deliveredAt })
    .from(agentEvents)
    .where(and(eq(agentEvents.kind, "operator_answered"), inArray(agentEvents.ref, questionIds)));
  return new Map(rows.map((row) => [row.ref!, row.deliveredAt]));
}
