import "server-only";
import { type HiveContext, systemCall } from "../context";
import { deliverDueWebhooks } from "../services/webhooks/deliver-due-webhooks";
import { feedWebhookEvents } from "../services/webhooks/feed-webhook-events";
import { pruneWebhookDeliveries } from "../services/webhooks/prune-webhook-deliveries";
import type { Worker } from "./worker";

const FEED_MS = 2_000;
const DELIVERY_POLL_MS = 1_000;
const DELIVERIES_AT_ONCE = 8;
const PRUNE_EVERY_MS = 3_600_000;
const KEEP_SETTLED_MS = 7 * 86_400_000;
const FEED_KINDS = new Set(["container_crash", "crash_loop", "question_asked", "approval_requested"]);

/**
 * Leader only: turns what happened (activity feed, questions near their deadline, the engine going and coming back)
 * into queued deliveries, keyed so that no event is queued twice for a webhook.
 */
export class WebhookFeeder {
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private chain: Promise<void> = Promise.resolve();
  private active = false;
  private engineSeen: "up" | "down" | undefined;
  private prunedAt = 0;

  constructor(private readonly ctx: HiveContext) {}

  start(): void {
    if (this.active) return;
    this.active = true;
    this.engineSeen = undefined;
    this.timer = setInterval(() => this.feedSoon(), FEED_MS);
    this.timer.unref();
    this.unsubscribe = this.ctx.events.subscribe((notice) => {
      if (FEED_KINDS.has(notice.kind)) this.feedSoon();
    });
    this.feedSoon();
  }

  async stop(): Promise<void> {
    this.active = false;
    clearInterval(this.timer);
    this.unsubscribe?.();
    await this.chain;
  }

  private feedSoon() {
    this.chain = this.chain.then(async () => {
      if (!this.active) return;
      try {
        await this.feed();
      } catch (error) {
        this.ctx.logger.warn({ err: (error as Error).message }, "webhook feed pass failed");
      }
    });
  }

  private async feed() {
    const now = new Date();
    const status = this.ctx.engine.status === "up" ? "up" : this.ctx.engine.status === "down" ? "down" : undefined;
    // The first look after leadership begins is the baseline: only a change seen while leading is news.
    const engine = status && this.engineSeen && status !== this.engineSeen ? status : undefined;
    const call = systemCall(this.ctx, null);
    await feedWebhookEvents({ ctx: call, input: { now, engine } });
    if (status) this.engineSeen = status;
    if (now.getTime() - this.prunedAt > PRUNE_EVERY_MS) {
      await pruneWebhookDeliveries({ ctx: call, input: { before: new Date(now.getTime() - KEEP_SETTLED_MS) } });
      this.prunedAt = now.getTime();
    }
  }
}

/**
 * Every replica: sends the queued deliveries it claims (rows locked with SKIP LOCKED, so each goes out once), a few
 * at a time, away from any request: a slow or dead endpoint holds only this loop.
 */
export class WebhookDelivery implements Worker {
  readonly name = "webhook-delivery";
  private controller: AbortController | undefined;
  private loop: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: HiveContext) {}

  start(): void {
    const controller = new AbortController();
    this.controller = controller;
    this.loop = this.run(controller.signal);
  }

  async stop(): Promise<void> {
    this.controller?.abort();
    await this.loop;
  }

  private async run(signal: AbortSignal) {
    while (!signal.aborted) {
      let attempted = 0;
      try {
        attempted = await deliverDueWebhooks({ ctx: systemCall(this.ctx, null, AbortSignal.any([signal, this.ctx.shutdownSignal])), input: { limit: DELIVERIES_AT_ONCE } });
      } catch (error) {
        if (!signal.aborted) this.ctx.logger.warn({ err: (error as Error).message }, "webhook delivery pass failed");
      }
      if (attempted === 0) await sleep(DELIVERY_POLL_MS, signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    timer.unref();
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
