import "server-only";
import type { Logger } from "pino";
import type { Worker } from "./worker";
import type { Database } from "../db/client";
import { pruneDelivered } from "../db/queries/agent-events";
import { deleteEventsBefore } from "../db/queries/events";
import { deleteDeadSessions } from "../db/queries/sessions";

const HOUR_MS = 3_600_000;
export const INBOX_KEEP_DAYS = 7;
export const INBOX_KEEP_PER_AGENT = 2_000;
const ACTIVITY_KEEP_DAYS = 30;

/**
 * Keeps the inboxes bounded, at start and hourly: delivered events older than 7 days go, then delivered events
 * beyond the newest 2000 per agent. Undelivered events are always kept. Old activity entries go after 30 days,
 * and expired or revoked operator sessions after a day.
 */
export class EventRetention implements Worker {
  readonly name = "event-retention";
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.sweep();
    this.timer = setInterval(() => void this.sweep(), HOUR_MS);
    this.timer.unref();
  }

  async sweep(): Promise<void> {
    try {
      const now = Date.now();
      const { aged, trimmed } = await pruneDelivered(this.db, new Date(now - INBOX_KEEP_DAYS * 86_400_000), INBOX_KEEP_PER_AGENT);
      const activity = await deleteEventsBefore(this.db, new Date(now - ACTIVITY_KEEP_DAYS * 86_400_000));
      await deleteDeadSessions(this.db, new Date(now));
      if (aged + trimmed + activity > 0) this.logger.info({ aged, trimmed, activity }, "event retention swept");
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, "event retention failed");
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
  }
}
