import "server-only";
import { and, asc, desc, eq, gt, gte, inArray, lt, sql } from "drizzle-orm";
import { type DbOrTx, queryRows } from "../client";
import { events, questions, type WebhookEventType, webhookDeliveries, webhookFeed, webhooks } from "../schema";

export type WebhookRow = typeof webhooks.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
const FEED_ID = "activity";

export async function insertWebhook(db: DbOrTx, row: typeof webhooks.$inferInsert): Promise<WebhookRow> {
  const [inserted] = await db.insert(webhooks).values(row).returning();
  return inserted!;
}

export async function listWebhookRows(db: DbOrTx): Promise<WebhookRow[]> {
  return db.select().from(webhooks).orderBy(webhooks.createdAt);
}

export async function findWebhook(db: DbOrTx, id: string): Promise<WebhookRow | undefined> {
  const [row] = await db.select().from(webhooks).where(eq(webhooks.id, id)).limit(1);
  return row;
}

export async function deleteWebhook(db: DbOrTx, id: string): Promise<boolean> {
  return (await db.delete(webhooks).where(eq(webhooks.id, id)).returning({ id: webhooks.id })).length > 0;
}

/** Queues one event for every webhook that wants it; an event already queued for a webhook (same key) is left alone. */
export async function enqueueDeliveries(
  db: DbOrTx,
  event: { key: string; type: WebhookEventType | "webhook.test"; payload: Record<string, unknown> },
  webhookIds: string[],
): Promise<DeliveryRow[]> {
  if (!webhookIds.length) return [];
  return db
    .insert(webhookDeliveries)
    .values(webhookIds.map((webhookId) => ({ webhookId, eventKey: event.key, eventType: event.type, payload: event.payload })))
    .onConflictDoNothing({ target: [webhookDeliveries.webhookId, webhookDeliveries.eventKey] })
    .returning();
}

/**
 * Claims up to `limit` due deliveries for this process: pending ones whose time has come, and ones another process
 * claimed but whose lease ran out (it died mid-delivery). SKIP LOCKED: replicas claiming at once never share a row.
 */
export async function claimDueDeliveries(db: DbOrTx, instance: string, limit: number, leaseMs: number): Promise<(DeliveryRow & { url: string; secret: string })[]> {
  const claimed = await queryRows<{ id: number | string }>(
    db,
    sql`update webhook_deliveries set status = 'delivering', claimed_by = ${instance},
          lease_until = now() + make_interval(secs => ${leaseMs / 1000}), attempts = attempts + 1
        where id in (
          select id from webhook_deliveries
          where (status = 'pending' and next_attempt_at <= now()) or (status = 'delivering' and lease_until < now())
          order by next_attempt_at, id limit ${limit}
          for update skip locked)
        returning id`,
  );
  if (!claimed.length) return [];
  const rows = await db
    .select({ delivery: webhookDeliveries, url: webhooks.url, secret: webhooks.secret })
    .from(webhookDeliveries)
    .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
    .where(inArray(webhookDeliveries.id, claimed.map((row) => Number(row.id))));
  return rows.map((row) => ({ ...row.delivery, url: row.url, secret: row.secret }));
}

/** Records an attempt's outcome, if this process still holds the claim (a lease taken over is the new holder's). */
export async function settleDelivery(
  db: DbOrTx,
  id: number,
  instance: string,
  outcome: { delivered: boolean; nextAttemptAt: Date | null; lastStatus: number | null; lastError: string | null; lastResponse: string | null; at: Date },
): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({
      status: outcome.delivered ? "delivered" : outcome.nextAttemptAt ? "pending" : "failed",
      nextAttemptAt: outcome.nextAttemptAt ?? undefined,
      leaseUntil: null,
      lastStatus: outcome.lastStatus,
      lastError: outcome.lastError,
      lastResponse: outcome.lastResponse,
      lastAttemptAt: outcome.at,
      deliveredAt: outcome.delivered ? outcome.at : null,
    })
    .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.claimedBy, instance), eq(webhookDeliveries.status, "delivering")));
}

export async function recentDeliveries(db: DbOrTx, webhookId: string, limit: number): Promise<DeliveryRow[]> {
  return db.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, webhookId)).orderBy(desc(webhookDeliveries.id)).limit(limit);
}

/** When the next queued delivery is due (null: none queued). */
export async function nextDeliveryDue(db: DbOrTx): Promise<Date | null> {
  const rows = await queryRows<{ due: Date | string | null }>(
    db,
    sql`select min(case when status = 'pending' then next_attempt_at else lease_until end) as due
        from webhook_deliveries where status in ('pending', 'delivering')`,
  );
  return rows[0]?.due ? new Date(rows[0].due) : null;
}

export async function readFeedCursor(db: DbOrTx): Promise<number | null> {
  const [row] = await db.select().from(webhookFeed).where(eq(webhookFeed.id, FEED_ID)).limit(1);
  return row ? Number(row.lastEventId) : null;
}

export async function writeFeedCursor(db: DbOrTx, lastEventId: number): Promise<void> {
  await db
    .insert(webhookFeed)
    .values({ id: FEED_ID, lastEventId })
    .onConflictDoUpdate({ target: webhookFeed.id, set: { lastEventId, updatedAt: new Date() } });
}

/** Deliveries settled long ago: the log keeps recent ones. */
export async function deleteSettledDeliveriesBefore(db: DbOrTx, before: Date): Promise<number> {
  const rows = await queryRows<{ id: number }>(
    db,
    sql`delete from webhook_deliveries where status in ('delivered', 'failed') and created_at < ${before} returning id`,
  );
  return rows.length;
}

/** Activity-feed rows after `afterId` of the given kinds, oldest first. */
export async function eventsAfter(db: DbOrTx, afterId: number, kinds: string[], limit: number) {
  return db
    .select()
    .from(events)
    .where(and(gt(events.id, afterId), inArray(events.kind, kinds)))
    .orderBy(asc(events.id))
    .limit(limit);
}

export async function lastEventId(db: DbOrTx): Promise<number> {
  const rows = await queryRows<{ id: number | string | null }>(db, sql`select max(id) as id from events`);
  return Number(rows[0]?.id ?? 0);
}

export async function questionsByIds(db: DbOrTx, ids: string[]) {
  if (!ids.length) return [];
  return db.select().from(questions).where(inArray(questions.id, ids));
}

/** Questions still waiting whose deadline falls in [from, to). */
export async function questionsExpiringBetween(db: DbOrTx, from: Date, to: Date) {
  return db
    .select()
    .from(questions)
    .where(and(eq(questions.status, "pending"), gte(questions.deadlineAt, from), lt(questions.deadlineAt, to)));
}
