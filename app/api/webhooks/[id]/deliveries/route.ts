import { DeliveriesQuery, WebhookIdParams } from "@/server/contracts/webhooks";
import { withRoute } from "@/server/http/with-route";
import { listWebhookDeliveries } from "@/server/services/webhooks/list-webhook-deliveries";

export const dynamic = "force-dynamic";

// GET /api/webhooks/:id/deliveries?limit=: the delivery log, newest first, with the endpoint's last answers.
export const GET = withRoute({ auth: "operator", params: WebhookIdParams, query: DeliveriesQuery }, async ({ ctx, params, query }) => ({
  deliveries: await listWebhookDeliveries({ ctx, input: { id: params.id, limit: query.limit } }),
}));
