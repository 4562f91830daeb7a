import { QuestionIdParams, WaitQuery } from "@/server/contracts/questions";
import { withRoute } from "@/server/http/with-route";
import { readOwnQuestion } from "@/server/services/questions/read-own-question";
import { retractQuestion } from "@/server/services/questions/retract-question";

export const dynamic = "force-dynamic";

// GET /api/agent/questions/:id?wait_seconds=0..180: status and answer; waits for the resolution when asked to.
export const GET = withRoute({ auth: "agent", params: QuestionIdParams, query: WaitQuery }, async ({ ctx, params, query }) =>
  readOwnQuestion({ ctx, input: { id: params.id, waitSeconds: query.wait_seconds } }),
);

// DELETE /api/agent/questions/:id: retract a pending question (the answer becomes "[retracted]").
export const DELETE = withRoute({ auth: "agent", action: "question.retract", params: QuestionIdParams }, async ({ ctx, params, audit }) => {
  audit.target = ctx.actor.agent;
  audit.detail = { questionId: params.id };
  return retractQuestion({ ctx, input: { id: params.id } });
});
