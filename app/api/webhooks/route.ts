import { CreateWebhookInput } from "@/server/contracts/webhooks";
import { withRoute } from "@/server/http/with-route";
import { createWebhook } from "@/server/services/webhooks/create-webhook";
import { listWebhooks } from "@/server/services/webhooks/list-webhooks";

export const dynamic = "force-dynamic";

// GET /api/webhooks: every webhook with its last deliveries; secrets only as hints.
export const GET = withRoute({ auth: "operator" }, async ({ ctx }) => ({ webhooks: await listWebhooks({ ctx, input: {} }) }));

// POST /api/webhooks: add a webhook; its signing secret is in this answer only.
export const POST = withRoute({ auth: "operator", action: "webhook.create", body: CreateWebhookInput }, async ({ ctx, body, audit }) => {
  const created = await createWebhook({ ctx, input: body });
  audit.target = created.webhook.id;
  audit.detail = { target: new URL(created.webhook.url).origin, events: created.webhook.events };
  return Response.json(created, { status: 201 });
});
