import "server-only";
import { z } from "zod";
import type { ServiceCall } from "../../context";
import { deleteSettledDeliveriesBefore } from "../../db/queries/webhooks";

export const PruneWebhookDeliveriesInput = z.object({ before: z.date() });

/** Forgets deliveries settled (delivered or given up) before `before`: the log keeps what is recent. */
export async function pruneWebhookDeliveries({ ctx, input }: ServiceCall<z.infer<typeof PruneWebhookDeliveriesInput>, null>): Promise<number> {
  return deleteSettledDeliveriesBefore(ctx.db, PruneWebhookDeliveriesInput.parse(input).before);
}
