import "server-only";
import type { ServiceCall } from "../../context";
import type { WebhookView } from "../../contracts/webhooks";
import { listWebhookRows, recentDeliveries } from "../../db/queries/webhooks";
import { toWebhookView } from "./internal/views";

const RECENT = 5;

/** Every webhook with its last few deliveries; secrets only as hints. */
export async function listWebhooks({ ctx }: ServiceCall<Record<string, never>>): Promise<WebhookView[]> {
  const rows = await listWebhookRows(ctx.db);
  return Promise.all(rows.map(async (row) => toWebhookView(row, await recentDeliveries(ctx.db, row.id, RECENT))));
}
