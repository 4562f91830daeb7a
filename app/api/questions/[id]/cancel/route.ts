import { QuestionIdParams } from "@/server/contracts/questions";
import { withRoute } from "@/server/http/with-route";
import { cancelQuestion } from "@/server/services/questions/cancel-question";
import { toQuestionView } from "@/server/views/questions";

export const dynamic = "force-dynamic";

// POST /api/questions/:id/cancel: the agent receives "[cancelled]".
export const POST = withRoute({ auth: "operator", action: "question.cancel", params: QuestionIdParams }, async ({ ctx, params, audit }) => {
  const row = await cancelQuestion({ ctx, input: { id: params.id } });
  audit.target = row.agent;
  audit.detail = { questionId: row.id };
  return { question: toQuestionView(row, null) };
});
