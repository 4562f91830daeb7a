import "server-only";
import type { DbOrTx } from "../../../db/client";
import { enqueueAgentEvent } from "../../../db/queries/agent-events";
import { publishEvent } from "../../../db/queries/events";
import { findQuestion, type QuestionRow, type Resolution, resolvePending } from "../../../db/queries/questions";
import { HiveError } from "../../../errors";

/**
 * Resolves a pending question once: the conditional update, the agent's `operator_answered` event and the
 * operators' activity entry commit together. Whoever comes second gets 409 question_resolved with the
 * final answer.
 */
export async function resolveQuestion(db: DbOrTx, id: string, resolution: Resolution, actor: string): Promise<QuestionRow> {
  const resolved = await db.transaction(async (tx) => {
    const row = await resolvePending(tx, id, resolution);
    if (!row) return null;
    await announceResolution(tx, row, actor);
    return row;
  });
  if (resolved) return resolved;
  const current = await findQuestion(db, id);
  if (!current) throw new HiveError("question_not_found", `no question ${id}`);
  throw new HiveError("question_resolved", `question ${id} was already ${current.status}: ${current.answer}`, {
    status: current.status,
    answer: current.answer,
    answeredBy: current.answeredBy,
    resolvedAt: current.resolvedAt?.toISOString() ?? null,
  });
}

/** The two records every resolution leaves, in the caller's transaction. */
export async function announceResolution(tx: DbOrTx, row: QuestionRow, actor: string): Promise<void> {
  await enqueueAgentEvent(tx, {
    agent: row.agent,
    kind: "operator_answered",
    payload: { id: row.id, question: row.question, answer: row.answer, status: row.status },
    ref: row.id,
  });
  await publishEvent(tx, {
    kind: "question_resolved",
    agent: row.agent,
    actor,
    detail: { questionId: row.id, status: row.status, answer: row.answer },
    ref: row.id,
  });
}
