import "server-only";
import { createHmac } from "node:crypto";
import { WEBHOOK_SCHEMA } from "../../../contracts/webhooks";

export type WebhookBody = {
  schema: typeof WEBHOOK_SCHEMA;
  id: string;
  type: string;
  occurredAt: string;
  dashboard: { url: string };
  data: Record<string, unknown>;
};

export function webhookBody(event: { key: string; type: string; occurredAt: Date; data: Record<string, unknown> }, dashboardUrl: string): WebhookBody {
  return { schema: WEBHOOK_SCHEMA, id: event.key, type: event.type, occurredAt: event.occurredAt.toISOString(), dashboard: { url: dashboardUrl }, data: event.data };
}

/** `sha256=` and the hex HMAC-SHA256, keyed by the webhook's secret, of `<timestamp>.<body>` (docs/webhooks.md). */
export function signature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}
