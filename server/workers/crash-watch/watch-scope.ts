import "server-only";
import type { Logger } from "pino";
import { KeyedSerial } from "./keyed-serial";

/** What the crash watch's parts share: whether it runs, its log, and the per-agent order of crashes and restarts. */
export class WatchScope {
  active = false;
  /** Crashes and recovery restarts of one agent run in order; different agents' side by side. */
  readonly perAgent = new KeyedSerial();

  constructor(readonly log: Logger) {}

  /** Runs a step while the watch is active; a failure is logged, never thrown, and a slow step is reported. */
  async guard(label: string, work: () => Promise<void>): Promise<void> {
    if (!this.active) return;
    const started = performance.now();
    try {
      await work();
      const tookMs = Math.round(performance.now() - started);
      if (tookMs > 1_000) this.log.warn({ step: label, tookMs }, "slow crash watch step");
    } catch (error) {
      this.log.warn({ err: (error as Error).message, step: label }, "crash watch step failed");
    }
  }
}

export const FIRST_RESTART_DELAY_MS = 1_000;
const MAX_RESTART_DELAY_MS = 5 * 60_000;

export const restartDelayMs = (attempt: number) =>
  Math.min(MAX_RESTART_DELAY_MS, FIRST_RESTART_DELAY_MS * 2 ** Math.max(0, attempt - 1));
