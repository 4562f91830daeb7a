import "server-only";
import type { DeliveryView, WebhookEvent, WebhookView } from "../../../contracts/webhooks";
import type { DeliveryRow, WebhookRow } from "../../../db/queries/webhooks";

/** Enough of a secret to tell two apart, never enough to use. */
export function secretHint(secret: string): string {
  return `${secret.slice(0, 8)}…${secret.slice(-4)}`;
}

export function toDeliveryView(row: DeliveryRow): DeliveryView {
  return {
    id: row.id,
    eventType: row.eventType,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === "pending" ? row.nextAttemptAt.toISOString() : null,
    lastStatus: row.lastStatus,
    lastError: row.lastError,
    lastResponse: row.lastResponse,
    lastAttemptAt: row.lastAttemptAt?.toISOString() ?? null,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

export function toWebhookView(row: WebhookRow, deliveries: DeliveryRow[]): WebhookView {
  return {
    id: row.id,
    url: row.url,
    events: row.events as WebhookEvent[],
    description: row.description,
    secretHint: secretHint(row.secret),
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    recentDeliveries: deliveries.map(toDeliveryView),
  };
}

/** What logs may say of a target: its origin, never its path or query (they may hold a token). */
export function targetForLogs(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(invalid url)";
  }
}
