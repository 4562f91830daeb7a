import "server-only";
import type { ServiceCall } from "../../context";
import type { OperatorActor } from "../../contracts/actors";
import { AnswerQuestionInput } from "../../contracts/questions";
import { findQuestion, type QuestionRow } from "../../db/queries/questions";
import { HiveError } from "../../errors";
import { mergeAnswer } from "./internal/merge-answer";
import { QuestionTarget } from "./internal/question-inputs";
import { resolveQuestion } from "./internal/resolve-question";

const AnswerInput = QuestionTarget.extend(AnswerQuestionInput.shape);

/** The operator answers with options and free text; the first resolution wins (409 question_resolved after it). */
export async function answerQuestion({ ctx, input }: ServiceCall<QuestionTarget & AnswerQuestionInput, OperatorActor>): Promise<QuestionRow> {
  const { id, choices = [], text } = AnswerInput.parse(input);
  const question = await findQuestion(ctx.db, id);
  if (!question) throw new HiveError("question_not_found", `no question ${id}`);
  if (choices.length > 0) {
    const offered = new Set(question.options ?? []);
    const unknown = choices.filter((choice) => !offered.has(choice));
    if (unknown.length) throw new HiveError("invalid_request", `not among the question's options: ${unknown.join(", ")}`);
    if (!question.multi && choices.length > 1) throw new HiveError("invalid_request", "this question takes one option (it is not multiple choice)");
    if (new Set(choices).size !== choices.length) throw new HiveError("invalid_request", "an option was chosen twice");
  }
  const answer = mergeAnswer(choices, text);
  const by = ctx.actor.name;
  return resolveQuestion(ctx.db, id, { status: "answered", answer, answeredBy: by }, by);
}
