import "server-only";
import type { Logger } from "pino";
import type { Worker } from "../app";
import type { Database } from "../db/client";
import { expireOverdue, nextDeadline } from "../db/queries/questions";
import type { EventHub } from "../services/event-hub";
import { announceResolution } from "../services/resolve-question";

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

  constructor(
    private readonly db: Database,
    private readonly events: EventHub,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    this.unsubscribe = this.events.subscribe((message) => {
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
    const expired = await this.db.transaction(async (tx) => {
      const rows = await expireOverdue(tx);
      for (const row of rows) await announceResolution(tx, row, "system:expiry");
      return rows;
    });
    if (expired.length) this.logger.info({ count: expired.length }, "questions expired");
    return expired.length;
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
    void nextDeadline(this.db)
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
