import "server-only";
import type { HiveApp } from "../app";
import type { AgentQuestionView } from "../contracts/questions";
import { findQuestion, type QuestionRow } from "../db/queries/questions";
import { HiveError } from "../errors";
import type { AgentActor } from "../http/auth";
import { resolveQuestion } from "./resolve-question";

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
async function ownQuestion(app: HiveApp, actor: AgentActor, id: string): Promise<QuestionRow> {
  const row = await findQuestion(app.database.db, id);
  if (!row || row.agent !== actor.agent) throw new HiveError("question_not_found", `no question ${id} of agent ${actor.agent}`);
  return row;
}

/** The question's status; with `waitSeconds` it returns the moment the question resolves (or when time is up). */
export async function readAgentQuestion({
  app,
  actor,
  id,
  waitSeconds,
  signal,
}: {
  app: HiveApp;
  actor: AgentActor;
  id: string;
  waitSeconds: number;
  signal: AbortSignal;
}): Promise<AgentQuestionView> {
  let row = await ownQuestion(app, actor, id);
  const deadline = Date.now() + waitSeconds * 1000;
  const stop = AbortSignal.any([signal, app.shutdownSignal]);
  while (row.status === "pending" && Date.now() < deadline && !stop.aborted) {
    await app.events.waitFor((message) => message.kind === "question_resolved" && message.ref === id, deadline - Date.now(), stop);
    row = await ownQuestion(app, actor, id);
  }
  return toAgentQuestionView(row);
}

export async function retractQuestion({ app, actor, id }: { app: HiveApp; actor: AgentActor; id: string }): Promise<AgentQuestionView> {
  await ownQuestion(app, actor, id);
  const row = await resolveQuestion(app.database.db, id, { status: "retracted", answer: "[retracted]", answeredBy: `agent:${actor.agent}` }, `agent:${actor.agent}`);
  return toAgentQuestionView(row);
}
