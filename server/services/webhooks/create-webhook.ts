import "server-only";
import { randomBytes } from "node:crypto";
import type { ServiceCall } from "../../context";
import type { OperatorActor } from "../../contracts/actors";
import { CreateWebhookInput, type WebhookView } from "../../contracts/webhooks";
import { insertWebhook } from "../../db/queries/webhooks";
import { toWebhookView } from "./internal/views";

/** Stores a webhook with a fresh signing secret, returned here once; afterwards only its hint is shown. */
export async function createWebhook({ ctx, input }: ServiceCall<CreateWebhookInput, OperatorActor>): Promise<{ webhook: WebhookView; secret: string }> {
  const { url, events, description } = CreateWebhookInput.parse(input);
  const secret = `whsec_${randomBytes(32).toString("base64url")}`;
  const row = await insertWebhook(ctx.db, {
    id: `wh_${randomBytes(12).toString("base64url").replace(/[^A-Za-z0-9]/g, "x")}`,
    url,
    secret,
    events: [...new Set(events)],
    description,
    createdBy: ctx.actor.name,
  });
  return { webhook: toWebhookView(row, []), secret };
}
