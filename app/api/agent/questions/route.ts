import { AskQuestionInput } from "@/server/contracts/questions";
import { withRoute } from "@/server/http/with-route";
import { askQuestion } from "@/server/services/questions/ask-question";

export const dynamic = "force-dynamic";

// POST /api/agent/questions { question, options?, multi?, ttl_seconds?, idempotency_key? } (or an Idempotency-Key header)
export const POST = withRoute({ auth: "agent", action: "question.ask", body: AskQuestionInput }, async ({ ctx, body, request, audit }) => {
  const header = request.headers.get("idempotency-key") ?? undefined;
  const input = AskQuestionInput.parse({ ...body, idempotency_key: body.idempotency_key ?? header });
  const asked = await askQuestion({ ctx, input });
  audit.target = ctx.actor.agent;
  audit.detail = { questionId: asked.id, replayed: !asked.created };
  return Response.json({ id: asked.id, deadline_at: asked.deadline_at }, { status: asked.created ? 201 : 200 });
});
