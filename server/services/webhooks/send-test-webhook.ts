import "server-only";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { ServiceCall } from "../../context";
import type { OperatorActor } from "../../contracts/actors";
import { type DeliveryView, WebhookId } from "../../contracts/webhooks";
import { enqueueDeliveries, findWebhook } from "../../db/queries/webhooks";
import { HiveError } from "../../errors";
import { webhookBody } from "./internal/payload";
import { toDeliveryView } from "./internal/views";

export const SendTestWebhookInput = z.object({ id: WebhookId });

/** Queues a `webhook.test` delivery to one webhook; the delivery log shows how it went. */
export async function sendTestWebhook({ ctx, input }: ServiceCall<z.infer<typeof SendTestWebhookInput>, OperatorActor>): Promise<DeliveryView> {
  const { id } = SendTestWebhookInput.parse(input);
  if (!(await findWebhook(ctx.db, id))) throw new HiveError("not_found", `no webhook ${id}`);
  const key = `test:${randomBytes(9).toString("base64url")}`;
  const payload = webhookBody({ key, type: "webhook.test", occurredAt: new Date(), data: { requestedBy: ctx.actor.name } }, ctx.config.publicUrl);
  const [row] = await enqueueDeliveries(ctx.db, { key, type: "webhook.test", payload }, [id]);
  return toDeliveryView(row!);
}
