import { WebhookIdParams } from "@/server/contracts/webhooks";
import { withRoute } from "@/server/http/with-route";
import { deleteWebhook } from "@/server/services/webhooks/delete-webhook";

export const dynamic = "force-dynamic";

// DELETE /api/webhooks/:id: nothing more is sent to it; its queue and log go with it.
export const DELETE = withRoute({ auth: "operator", action: "webhook.delete", params: WebhookIdParams }, async ({ ctx, params, audit }) => {
  audit.target = params.id;
  return deleteWebhook({ ctx, input: { id: params.id } });
});
