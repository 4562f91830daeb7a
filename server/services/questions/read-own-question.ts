import "server-only";
import { z } from "zod";
import type { ServiceCall } from "../../context";
import type { AgentActor } from "../../contracts/actors";
import type { AgentQuestionView } from "../../contracts/questions";
import { ownQuestion, toAgentQuestionView } from "./internal/own-question";
import { QuestionTarget } from "./internal/question-inputs";

export const ReadOwnQuestionInput = QuestionTarget.extend({ waitSeconds: z.number().min(0).max(180) });
export type ReadOwnQuestionInput = z.infer<typeof ReadOwnQuestionInput>;

/** The question's status; with `waitSeconds` it returns the moment the question resolves (or when time is up). */
export async function readOwnQuestion({ ctx, input }: ServiceCall<ReadOwnQuestionInput, AgentActor>): Promise<AgentQuestionView> {
  const { id, waitSeconds } = ReadOwnQuestionInput.parse(input);
  let row = await ownQuestion(ctx.db, ctx.actor, id);
  const deadline = Date.now() + waitSeconds * 1000;
  const stop = AbortSignal.any([ctx.signal, ctx.shutdownSignal]);
  while (row.status === "pending" && Date.now() < deadline && !stop.aborted) {
    await ctx.events.waitFor((message) => message.kind === "question_resolved" && message.ref === id, deadline - Date.now(), stop);
    row = await ownQuestion(ctx.db, ctx.actor, id);
  }
  return toAgentQuestionView(row);
}
