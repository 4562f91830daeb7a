import "server-only";
import type { ServiceCall } from "../../context";
import type { AgentActor } from "../../contracts/actors";
import type { AgentQuestionView } from "../../contracts/questions";
import { ownQuestion, toAgentQuestionView } from "./internal/own-question";
import { QuestionTarget } from "./internal/question-inputs";
import { resolveQuestion } from "./internal/resolve-question";

/** The asking agent retracts a pending question (the answer becomes "[retracted]"). */
export async function retractQuestion({ ctx, input }: ServiceCall<QuestionTarget, AgentActor>): Promise<AgentQuestionView> {
  const { id } = QuestionTarget.parse(input);
  await ownQuestion(ctx.db, ctx.actor, id);
  const by = `agent:${ctx.actor.agent}`;
  const row = await resolveQuestion(ctx.db, id, { status: "retracted", answer: "[retracted]", answeredBy: by }, by);
  return toAgentQuestionView(row);
}
