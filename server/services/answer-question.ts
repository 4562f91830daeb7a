import "server-only";
import type { HiveApp } from "../app";
import { AnswerQuestionInput } from "../contracts/questions";
import { findQuestion } from "../db/queries/questions";
import { HiveError } from "../errors";
import type { OperatorActor } from "../http/auth";
import { resolveQuestion } from "./resolve-question";

/** The checked options and the free text become one answer string, joined with ", ". */
export function mergeAnswer(choices: string[], text: string | undefined): string {
  return [...choices, text?.trim() ?? ""].filter((part) => part.length > 0).join(", ");
}

export async function answerQuestion({ app, actor, id, input }: { app: HiveApp; actor: OperatorActor; id: string; input: AnswerQuestionInput }) {
  const { choices = [], text } = AnswerQuestionInput.parse(input);
  const db = app.database.db;
  const question = await findQuestion(db, id);
  if (!question) throw new HiveError("question_not_found", `no question ${id}`);
  if (choices.length > 0) {
    const offered = new Set(question.options ?? []);
    const unknown = choices.filter((choice) => !offered.has(choice));
    if (unknown.length) throw new HiveError("invalid_request", `not among the question's options: ${unknown.join(", ")}`);
    if (!question.multi && choices.length > 1) throw new HiveError("invalid_request", "this question takes one option (it is not multiple choice)");
    if (new Set(choices).size !== choices.length) throw new HiveError("invalid_request", "an option was chosen twice");
  }
  const answer = mergeAnswer(choices, text);
  return resolveQuestion(db, id, { status: "answered", answer, answeredBy: actor.name }, actor.name);
}

export async function cancelQuestion({ app, actor, id }: { app: HiveApp; actor: OperatorActor; id: string }) {
  return resolveQuestion(app.database.db, id, { status: "cancelled", answer: "[cancelled]", answeredBy: actor.name }, actor.name);
}
