import { sql } from "drizzle-orm";
import { bigint, bigserial, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

export type WebhookEventType =
  | "agent.crashed"
  | "agent.crash_looping"
  | "question.waiting"
  | "question.expiring"
  | "approval.waiting"
  | "engine.down"
  | "engine.up";

/** Outgoing webhooks the operators configured; the secret signs each body and is never shown again after creation. */
export const webhooks = pgTable("webhooks", {
  id: text("id").primaryKey(),
  url: text("url").notNull(),
  secret: text("secret").notNull(),
  events: jsonb("events").$type<WebhookEventType[]>().notNull(),
  description: text("description").notNull().default(""),
  createdBy: text("created_by").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * The delivery queue and its log: one row per webhook and event (the key makes a second enqueue a no-op). Any replica
 * claims due rows with FOR UPDATE SKIP LOCKED and a lease, so each is sent by one of them at a time.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    webhookId: text("webhook_id")
      .notNull()
      .references(() => webhooks.id, { onDelete: "cascade" }),
    eventKey: text("event_key").notNull(),
    eventType: text("event_type").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    status: text("status", { enum: ["pending", "delivering", "delivered", "failed"] }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    leaseUntil: timestamp("lease_until", { withTimezone: true }),
    claimedBy: text("claimed_by"),
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
    /** The start of the endpoint's last answer body (at most 300 characters). */
    lastResponse: text("last_response"),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("webhook_deliveries_event_idx").on(table.webhookId, table.eventKey),
    index("webhook_deliveries_due_idx").on(table.nextAttemptAt).where(sql`${table.status} in ('pending', 'delivering')`),
    index("webhook_deliveries_webhook_idx").on(table.webhookId, table.id),
  ],
);

/** How far the leader has turned the activity feed into deliveries. */
export const webhookFeed = pgTable("webhook_feed", {
  id: text("id").primaryKey(),
  lastEventId: bigint("last_event_id", { mode: "number" }).notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
