import "server-only";
import type { ServiceCall } from "../../context";
import type { AgentActor } from "../../contracts/actors";
import { AskQuestionInput } from "../../contracts/questions";
import { publishEvent } from "../../db/queries/events";
import { insertQuestion } from "../../db/queries/questions";
import { newId } from "../../security/tokens";

/** An agent asks the operator a question; a retried request with the same idempotency key gets the first id. */
export async function askQuestion({ ctx, input }: ServiceCall<AskQuestionInput, AgentActor>) {
  const ask = AskQuestionInput.parse(input);
  const { agent } = ctx.actor;
  const outcome = await ctx.db.transaction(async (tx) => {
    const created = await insertQuestion(tx, {
      id: newId("q"),
      agent,
      question: ask.question,
      options: ask.options?.length ? ask.options : null,
      multi: ask.multi ?? false,
      idempotencyKey: ask.idempotency_key ?? null,
      deadlineAt: ask.ttl_seconds ? new Date(Date.now() + ask.ttl_seconds * 1000) : null,
    });
    if (created.created) {
      await publishEvent(tx, {
        kind: "question_asked",
        agent,
        actor: `agent:${agent}`,
        detail: { questionId: created.row.id, deadlineAt: created.row.deadlineAt?.toISOString() ?? null },
        ref: created.row.id,
      });
    }
    return created;
  });
  return { id: outcome.row.id, deadline_at: outcome.row.deadlineAt?.toISOString() ?? null, created: outcome.created };
}
