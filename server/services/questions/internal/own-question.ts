import "server-only";
import type { AgentActor } from "../../../contracts/actors";
import type { AgentQuestionView } from "../../../contracts/questions";
import type { Database } from "../../../db/client";
import { findQuestion, type QuestionRow } from "../../../db/queries/questions";
import { HiveError } from "../../../errors";

export function toAgentQuestionView(row: QuestionRow): AgentQuestionView {
  return {
    id: row.id,
    question: row.question,
    options: row.options,
    multi: row.multi,
    status: row.status,
    answer: row.answer,
    answered_by: row.answeredBy,
    created_at: row.createdAt.toISOString(),
    deadline_at: row.deadlineAt?.toISOString() ?? null,
    resolved_at: row.resolvedAt?.toISOString() ?? null,
  };
}

/** An agent sees only its own questions: anyone else's id answers exactly like a missing one. */
export async function ownQuestion(db: Database, actor: AgentActor, id: string): Promise<QuestionRow> {
  const row = await findQuestion(db, id);
  if (!row || row.agent !== actor.agent) throw new HiveError("question_not_found", `no question ${id} of agent ${actor.agent}`);
  return row;
}
