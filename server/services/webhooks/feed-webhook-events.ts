import "server-only";
import { z } from "zod";
import type { ServiceCall } from "../../context";
import type { WebhookEvent } from "../../contracts/webhooks";
import {
  enqueueDeliveries,
  eventsAfter,
  lastEventId,
  listWebhookRows,
  questionsByIds,
  questionsExpiringBetween,
  readFeedCursor,
  type WebhookRow,
  writeFeedCursor,
} from "../../db/queries/webhooks";
import { webhookBody } from "./internal/payload";

/** How long before its deadline a waiting question is announced as about to expire. */
export const EXPIRING_NOTICE_MS = 60_000;
const BATCH = 500;
const KIND_EVENT: Record<string, WebhookEvent> = {
  container_crash: "agent.crashed",
  crash_loop: "agent.crash_looping",
  question_asked: "question.waiting",
  approval_requested: "approval.waiting",
};

export const FeedWebhookEventsInput = z.object({ now: z.date(), engine: z.enum(["down", "up"]).optional() });

/**
 * The leader's pass: turns new activity-feed rows (crashes, crash loops, questions, approval requests), questions
 * about to expire and an engine change into queued deliveries for the webhooks that want them. Each event has a key,
 * so a pass repeated after a crash or by the next leader queues nothing twice. Returns how many it queued.
 */
export async function feedWebhookEvents({ ctx, input }: ServiceCall<z.infer<typeof FeedWebhookEventsInput>, null>): Promise<number> {
  const { now, engine } = FeedWebhookEventsInput.parse(input);
  // Read before the webhooks: an event after it, for a webhook made meanwhile, is the next pass's.
  const latest = await lastEventId(ctx.db);
  const hooks = await listWebhookRows(ctx.db);
  const cursor = await readFeedCursor(ctx.db);
  if (cursor === null || hooks.length === 0) {
    // Nobody listens (or never did): start from here rather than replay the past to a webhook made later.
    if (cursor !== latest) await writeFeedCursor(ctx.db, latest);
    return 0;
  }
  let queued = 0;
  const queue = async (key: string, type: WebhookEvent, occurredAt: Date, data: Record<string, unknown>) => {
    const wanting = hooks.filter((hook: WebhookRow) => hook.events.includes(type)).map((hook) => hook.id);
    queued += (await enqueueDeliveries(ctx.db, { key, type, payload: webhookBody({ key, type, occurredAt, data }, ctx.config.publicUrl) }, wanting)).length;
  };

  const rows = await eventsAfter(ctx.db, cursor, Object.keys(KIND_EVENT), BATCH);
  const asked = new Map((await questionsByIds(ctx.db, rows.filter((row) => row.kind === "question_asked").map((row) => String(row.detail.questionId)))).map((q) => [q.id, q]));
  for (const row of rows) {
    const type = KIND_EVENT[row.kind]!;
    const detail = row.detail;
    const question = type === "question.waiting" ? asked.get(String(detail.questionId)) : undefined;
    const data: Record<string, unknown> = { agent: row.agent, ...detail };
    if (question) Object.assign(data, { question: question.question, options: question.options ?? null });
    await queue(`event:${row.id}`, type, row.at, data);
  }
  if (rows.length) await writeFeedCursor(ctx.db, rows[rows.length - 1]!.id);

  for (const question of await questionsExpiringBetween(ctx.db, now, new Date(now.getTime() + EXPIRING_NOTICE_MS))) {
    await queue(`question.expiring:${question.id}`, "question.expiring", now, {
      agent: question.agent,
      questionId: question.id,
      question: question.question,
      deadlineAt: question.deadlineAt?.toISOString() ?? null,
    });
  }
  if (engine) await queue(`engine.${engine}:${now.toISOString()}`, `engine.${engine}`, now, { engine: ctx.runtime.kind });
  return queued;
}
