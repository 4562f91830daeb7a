import "server-only";
import { systemActor } from "../contracts/actors";
import { type HiveContext, systemCall } from "../context";
import { nextDeadline } from "../db/queries/questions";
import { expireOverdueQuestions } from "../services/questions/expire-overdue-questions";
import type { Worker } from "./worker";

/** Even with no deadline in sight, look again this often (a replica may have added one we missed). */
const MAX_SLEEP_MS = 30_000;

/**
 * Expires questions at their deadline. The deadline lives in the database, so overdue questions expire at
 * start too; every replica runs this, and the conditional update makes each expiry happen exactly once.
 */
export class QuestionExpiry implements Worker {
  readonly name = "question-expiry";
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private stopped = true;

  private readonly logger;

  constructor(private readonly ctx: HiveContext) {
    this.logger = ctx.logger.child({ component: "question-expiry" });
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.unsubscribe = this.ctx.events.subscribe((message) => {
      if (message.kind === "question_asked" || message.kind === "resync") this.arm();
    });
    await this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearTimeout(this.timer);
    await this.running;
  }

  /** Expires what is overdue now. */
  async expireNow(): Promise<number> {
    const expired = await expireOverdueQuestions({ ctx: systemCall(this.ctx, systemActor("system:expiry")), input: undefined });
    if (expired) this.logger.info({ count: expired }, "questions expired");
    return expired;
  }

  private run(): Promise<void> {
    this.running = this.running.then(async () => {
      if (this.stopped) return;
      try {
        await this.expireNow();
      } catch (error) {
        this.logger.warn({ err: (error as Error).message }, "question expiry failed; retrying");
      }
      this.arm();
    });
    return this.running;
  }

  /** Sleeps until the earliest pending deadline (or MAX_SLEEP_MS). */
  private arm() {
    if (this.stopped) return;
    void nextDeadline(this.ctx.db)
      .then((next) => {
        if (this.stopped) return;
        clearTimeout(this.timer);
        const delay = next ? Math.max(0, next.getTime() - Date.now()) + 2 : MAX_SLEEP_MS;
        this.timer = setTimeout(() => void this.run(), Math.min(delay, MAX_SLEEP_MS));
        this.timer.unref();
      })
      .catch((error: Error) => {
        this.logger.warn({ err: error.message }, "could not read the next question deadline");
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.run(), 1_000);
        this.timer.unref();
      });
  }
}
