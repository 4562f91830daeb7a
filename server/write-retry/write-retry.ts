import "server-only";
import type { Logger } from "pino";
import type { Worker } from "../workers/worker";
import { isDatabaseUnavailable } from "../db/client";

type KeptWrite = { label: string; write: () => Promise<unknown>; detail: Record<string, unknown> };

const MAX_KEPT = 10_000;
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 5_000;

/**
 * Writes that record what already happened (an audit row, the release of an in-flight slot after the engine acted)
 * must not be lost to a database outage: when the database cannot be reached they are kept in order and retried
 * until it answers. A write the database refuses for another reason is the caller's failure, as before.
 */
export class WriteRetry implements Worker {
  readonly name = "write-retry";
  private readonly kept: KeptWrite[] = [];
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private flushing: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly logger: Logger) {}

  start(): void {
    this.stopped = false;
  }

  get pending(): number {
    return this.kept.length;
  }

  /** Runs the write now; resolves false when the database was unreachable and the write is kept for later. */
  async run(label: string, write: () => Promise<unknown>, detail: Record<string, unknown> = {}): Promise<boolean> {
    // Behind writes already kept, a new one waits its turn: the rows land in the order things happened.
    if (this.kept.length === 0) {
      try {
        await write();
        return true;
      } catch (error) {
        if (!isDatabaseUnavailable(error)) throw error;
      }
    }
    if (this.kept.length >= MAX_KEPT) {
      const dropped = this.kept.shift()!;
      this.logger.error({ label: dropped.label, ...dropped.detail }, "too many writes kept while the database is unreachable; dropped the oldest");
    }
    this.kept.push({ label, write, detail });
    this.logger.warn({ label, kept: this.kept.length, ...detail }, "database unreachable: write kept, retried until it lands");
    this.schedule();
    return false;
  }

  private schedule() {
    if (this.timer || this.flushing || this.stopped) return;
    const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.failures);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flush().finally(() => (this.flushing = undefined));
    }, delay);
    this.timer.unref();
  }

  private async flush(): Promise<void> {
    let landed = 0;
    while (this.kept.length > 0) {
      const next = this.kept[0]!;
      try {
        await next.write();
        landed++;
      } catch (error) {
        if (isDatabaseUnavailable(error)) {
          this.failures++;
          if (landed) this.logger.info({ landed, kept: this.kept.length }, "kept writes landed");
          this.flushing = undefined;
          this.schedule();
          return;
        }
        this.logger.error({ label: next.label, ...next.detail, err: (error as Error).message }, "a kept write was refused by the database");
      }
      this.kept.shift();
    }
    this.failures = 0;
    if (landed) this.logger.info({ landed }, "kept writes landed");
  }

  /** One last try at shutdown; what still cannot land is logged in full. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    if (this.kept.length > 0) await this.flush();
    for (const lost of this.kept.splice(0)) this.logger.error({ label: lost.label, ...lost.detail }, "a kept write is lost: the database was unreachable until shutdown");
  }
}
