import { QuestionIdParams, WaitQuery } from "@/server/contracts/questions";
import { withRoute } from "@/server/http/with-route";
import { readAgentQuestion, retractQuestion } from "@/server/services/agent-questions";

export const dynamic = "force-dynamic";

// GET /api/agent/questions/:id?wait_seconds=0..180: status and answer; waits for the resolution when asked to.
export const GET = withRoute({ auth: "agent", params: QuestionIdParams, query: WaitQuery }, async ({ app, actor, params, query, signal }) =>
  readAgentQuestion({ app, actor, id: params.id, waitSeconds: query.wait_seconds, signal }),
);

// DELETE /api/agent/questions/:id: retract a pending question (the answer becomes "[retracted]").
export const DELETE = withRoute({ auth: "agent", action: "question.retract", params: QuestionIdParams }, async ({ app, actor, params, audit }) => {
  audit.target = actor.agent;
  audit.detail = { questionId: params.id };
  return retractQuestion({ app, actor, id: params.id });
});
