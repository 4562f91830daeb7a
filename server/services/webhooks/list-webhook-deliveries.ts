import "server-only";
import { z } from "zod";
import type { ServiceCall } from "../../context";
import { type DeliveryView, WebhookId } from "../../contracts/webhooks";
import { findWebhook, recentDeliveries } from "../../db/queries/webhooks";
import { HiveError } from "../../errors";
import { toDeliveryView } from "./internal/views";

export const ListWebhookDeliveriesInput = z.object({ id: WebhookId, limit: z.number().int().min(1).max(100) });

/** A webhook's delivery log, newest first: each delivery's attempts and the endpoint's last answer. */
export async function listWebhookDeliveries({ ctx, input }: ServiceCall<z.infer<typeof ListWebhookDeliveriesInput>>): Promise<DeliveryView[]> {
  const { id, limit } = ListWebhookDeliveriesInput.parse(input);
  if (!(await findWebhook(ctx.db, id))) throw new HiveError("not_found", `no webhook ${id}`);
  return (await recentDeliveries(ctx.db, id, limit)).map(toDeliveryView);
}
