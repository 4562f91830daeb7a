import "server-only";
import { z } from "zod";
import type { ServiceCall } from "../../context";
import { claimDueDeliveries, type DeliveryRow, settleDelivery } from "../../db/queries/webhooks";
import { signature } from "./internal/payload";
import { targetForLogs } from "./internal/views";

export const DeliverDueWebhooksInput = z.object({ limit: z.number().int().min(1).max(100) });
const MAX_DELAY_MS = 3_600_000;
const RESPONSE_KEPT = 300;

/**
 * Claims due deliveries (this replica's share: rows are locked, skipped by the others) and sends them side by side,
 * each within its deadline; a failure is retried later with a doubling delay, up to the attempts allowed. Nothing
 * here runs in a request: a slow or dead endpoint only holds this loop. Returns how many it attempted.
 */
export async function deliverDueWebhooks({ ctx, input }: ServiceCall<z.infer<typeof DeliverDueWebhooksInput>, null>): Promise<number> {
  const { limit } = DeliverDueWebhooksInput.parse(input);
  const { timeoutMs, retryBaseMs, maxAttempts } = ctx.config.webhooks;
  const claimed = await claimDueDeliveries(ctx.db, ctx.instanceId, limit, timeoutMs + 5_000);
  await Promise.all(
    claimed.map(async (delivery) => {
      const result = await attempt(delivery, timeoutMs, ctx.signal);
      const at = new Date();
      const retry = !result.ok && delivery.attempts < maxAttempts;
      const delay = Math.min(MAX_DELAY_MS, retryBaseMs * 2 ** (delivery.attempts - 1));
      await settleDelivery(ctx.db, delivery.id, ctx.instanceId, {
        delivered: result.ok,
        nextAttemptAt: retry ? new Date(at.getTime() + delay) : null,
        lastStatus: result.status,
        lastError: result.error,
        lastResponse: result.response,
        at,
      });
      const log = { webhook: delivery.webhookId, delivery: delivery.id, target: targetForLogs(delivery.url), attempt: delivery.attempts, status: result.status };
      if (result.ok) ctx.logger.debug(log, "webhook delivered");
      else ctx.logger.warn({ ...log, err: result.error, retryInMs: retry ? delay : null }, retry ? "webhook delivery failed; will retry" : "webhook delivery failed for good");
    }),
  );
  return claimed.length;
}

type AttemptResult = { ok: boolean; status: number | null; error: string | null; response: string | null };

async function attempt(delivery: DeliveryRow & { url: string; secret: string }, timeoutMs: number, stop: AbortSignal): Promise<AttemptResult> {
  const body = JSON.stringify(delivery.payload);
  const timestamp = Math.floor(Date.now() / 1000);
  try {
    const response = await fetch(delivery.url, {
      method: "POST",
      redirect: "manual",
      signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), stop]),
      headers: {
        "content-type": "application/json",
        "user-agent": "hive-dashboard-webhooks/1",
        "x-hive-event": delivery.eventType,
        "x-hive-event-id": delivery.eventKey,
        "x-hive-delivery": String(delivery.id),
        "x-hive-timestamp": String(timestamp),
        "x-hive-signature": signature(delivery.secret, timestamp, body),
      },
      body,
    });
    const text = await readStart(response);
    const ok = response.status >= 200 && response.status < 300;
    return { ok, status: response.status, error: ok ? null : `the endpoint answered ${response.status}`, response: text };
  } catch (error) {
    const name = (error as Error).name;
    const message = name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : `could not reach the endpoint (${causeOf(error)})`;
    return { ok: false, status: null, error: message, response: null };
  }
}

/** The start of an answer's body, without reading a large one to its end. */
async function readStart(response: Response): Promise<string | null> {
  if (!response.body) return null;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < RESPONSE_KEPT * 4) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const text = Buffer.concat(chunks).toString("utf8").replace(/\u0000/g, "").slice(0, RESPONSE_KEPT);
  return text || null;
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
