import { AnswerQuestionInput, QuestionIdParams } from "@/server/contracts/questions";
import { withRoute } from "@/server/http/with-route";
import { answerQuestion } from "@/server/services/questions/answer-question";
import { toQuestionView } from "@/server/views/questions";

export const dynamic = "force-dynamic";

// POST /api/questions/:id/answer { choices?, text? }: first writer wins; the loser gets 409 question_resolved.
export const POST = withRoute(
  { auth: "operator", action: "question.answer", params: QuestionIdParams, body: AnswerQuestionInput },
  async ({ ctx, params, body, audit }) => {
    const row = await answerQuestion({ ctx, input: { id: params.id, ...body } });
    audit.target = row.agent;
    audit.detail = { questionId: row.id };
    return { question: toQuestionView(row, null) };
  },
);
