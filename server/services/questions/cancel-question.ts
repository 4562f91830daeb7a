import "server-only";
import type { ServiceCall } from "../../context";
import type { OperatorActor } from "../../contracts/actors";
import type { QuestionRow } from "../../db/queries/questions";
import { QuestionTarget } from "./internal/question-inputs";
import { resolveQuestion } from "./internal/resolve-question";

/** The operator cancels a pending question: the agent receives "[cancelled]". */
export async function cancelQuestion({ ctx, input }: ServiceCall<QuestionTarget, OperatorActor>): Promise<QuestionRow> {
  const { id } = QuestionTarget.parse(input);
  const by = ctx.actor.name;
  return resolveQuestion(ctx.db, id, { status: "cancelled", answer: "[cancelled]", answeredBy: by }, by);
}
