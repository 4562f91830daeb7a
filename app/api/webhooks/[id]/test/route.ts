import { WebhookIdParams } from "@/server/contracts/webhooks";
import { withRoute } from "@/server/http/with-route";
import { sendTestWebhook } from "@/server/services/webhooks/send-test-webhook";

export const dynamic = "force-dynamic";

// POST /api/webhooks/:id/test: queue a webhook.test delivery; the delivery log shows its outcome.
export const POST = withRoute({ auth: "operator", action: "webhook.test", params: WebhookIdParams }, async ({ ctx, params, audit }) => {
  audit.target = params.id;
  return Response.json({ delivery: await sendTestWebhook({ ctx, input: { id: params.id } }) }, { status: 202 });
});
