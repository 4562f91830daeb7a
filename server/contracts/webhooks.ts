import { z } from "./zod";

export const WEBHOOK_EVENTS = [
  "agent.crashed",
  "agent.crash_looping",
  "question.waiting",
  "question.expiring",
  "approval.waiting",
  "engine.down",
  "engine.up",
] as const;
export const WebhookEvent = z.enum(WEBHOOK_EVENTS);
export type WebhookEvent = z.infer<typeof WebhookEvent>;
/** The body schema's version: a field is only ever added within one; anything else is a new version. */
export const WEBHOOK_SCHEMA = "hive.webhook/v1";

export const WebhookId = z.string().regex(/^wh_[A-Za-z0-9]{12,32}$/, { error: "must be a webhook id (wh_…)" });
export const WebhookIdParams = z.object({ id: WebhookId });

/** An http(s) URL without credentials in it (they would show in the page and the audit); a secret signs each body. */
export const WebhookUrl = z
  .string()
  .max(2_000)
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        return url.protocol === "http:" || url.protocol === "https:";
      } catch {
        return false;
      }
    },
    { error: "must be an absolute http:// or https:// URL" },
  )
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        return url.username === "" && url.password === "";
      } catch {
        return true;
      }
    },
    { error: "must not carry credentials (user:password@); the signature header authenticates each delivery" },
  );

// POST /api/webhooks
export const CreateWebhookInput = z.strictObject({
  url: WebhookUrl,
  events: z.array(WebhookEvent).min(1, { error: "pick at least one event" }).max(WEBHOOK_EVENTS.length),
  description: z.string().max(200).default(""),
});
export type CreateWebhookInput = z.input<typeof CreateWebhookInput>;

export const DeliveryView = z.object({
  id: z.number().int(),
  eventType: z.string(),
  status: z.enum(["pending", "delivering", "delivered", "failed"]),
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastStatus: z.number().int().nullable().describe("the endpoint's last HTTP status (null: no answer)"),
  lastError: z.string().nullable(),
  lastResponse: z.string().nullable().describe("the start of the endpoint's last answer body"),
  lastAttemptAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  createdAt: z.string(),
});
export type DeliveryView = z.infer<typeof DeliveryView>;

export const WebhookView = z.object({
  id: WebhookId,
  url: z.string(),
  events: z.array(WebhookEvent),
  description: z.string(),
  /** Never the secret: its first and last characters, to tell two apart. */
  secretHint: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  recentDeliveries: z.array(DeliveryView).describe("the last few deliveries, newest first"),
});
export type WebhookView = z.infer<typeof WebhookView>;
export const WebhookList = z.object({ webhooks: z.array(WebhookView) });
export const CreatedWebhook = z.object({ webhook: WebhookView, secret: z.string().describe("shown in this answer only") });
export const DeletedWebhook = z.object({ id: WebhookId, deleted: z.literal(true) });
export const QueuedTestDelivery = z.object({ delivery: DeliveryView });

// GET /api/webhooks/:id/deliveries?limit=
export const DeliveriesQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(20) });
export const DeliveryList = z.object({ deliveries: z.array(DeliveryView) });
