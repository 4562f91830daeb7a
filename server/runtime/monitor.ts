import "server-only";
import type { Logger } from "pino";

export type DependencyStatus = "unknown" | "up" | "down";

export type DependencySnapshot = {
  status: DependencyStatus;
  endpoint: string;
  lastCheckedAt: string | null;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  lastDurationMs: number | null;
  consecutiveFailures: number;
  nextRetryAt: string | null;
  lastError: { code: string; message: string } | null;
  retriesExhausted: boolean;
};

export type MonitorOptions = {
  dependency: string;
  endpoint: string;
  probe: () => Promise<void>;
  baseDelayMs: number;
  maxDelayMs: number;
  jitterMs: number;
  probeIntervalMs: number;
  /** 0 means retry forever. */
  maxRetries: number;
  logger: Logger;
  random?: () => number;
};

type Listener = (status: DependencyStatus, previous: DependencyStatus) => void;

function errorCode(error: unknown): string {
  const candidate = error as { code?: unknown; kind?: unknown; statusCode?: unknown };
  const message = error instanceof Error ? error.message : "";
  const fromMessage = /^([A-Z][A-Z0-9_]+):/.exec(message)?.[1];
  if (typeof candidate.code === "string") return candidate.code;
  if (fromMessage) return fromMessage;
  if (typeof candidate.statusCode === "number") return `HTTP_${candidate.statusCode}`;
  if (/timed? ?out/i.test(message)) return "ETIMEDOUT";
  return "UNKNOWN";
}

/**
 * Watches a soft dependency in the background: probes it with exponential backoff and jitter while it is
 * down and at a steady interval while it is up. It never throws; callers read `status` and `snapshot()`.
 */
export class DependencyMonitor {
  private state: DependencySnapshot;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private readonly listeners = new Set<Listener>();
  private readonly random: () => number;

  constructor(private readonly options: MonitorOptions) {
    this.random = options.random ?? Math.random;
    this.state = {
      status: "unknown",
      endpoint: options.endpoint,
      lastCheckedAt: null,
      lastSuccessAt: null,
      lastFailureAt: null,
      lastDurationMs: null,
      consecutiveFailures: 0,
      nextRetryAt: null,
      lastError: null,
      retriesExhausted: false,
    };
  }

  get status(): DependencyStatus {
    return this.state.status;
  }

  snapshot(): DependencySnapshot {
    return { ...this.state, lastError: this.state.lastError ? { ...this.state.lastError } : null };
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Starts the loop: at once when nothing was probed yet, else on the schedule the last result implies.
   * Starting twice is a no-op: one loop per monitor.
   */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    if (this.state.lastCheckedAt === null) this.schedule(0);
    else if (this.state.status === "up") this.schedule(this.options.probeIntervalMs);
    else if (!this.state.retriesExhausted) this.schedule(this.backoffDelay(this.state.consecutiveFailures));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Runs one probe now (outside the schedule) and resolves with the resulting status. */
  async probeNow(): Promise<DependencyStatus> {
    if (this.running) {
      await this.running;
      return this.state.status;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    this.running = this.runProbe().finally(() => (this.running = undefined));
    await this.running;
    return this.state.status;
  }

  /** A caller saw the dependency fail outside the monitor: re-probe at once rather than at the next interval. */
  reportFailure(): void {
    if (this.stopped || this.state.retriesExhausted || this.running) return;
    if (this.state.status === "up") this.schedule(0);
  }

  /** The delay before retry number `failures` (1-based): base * 2^(n-1), capped, plus random jitter. */
  backoffDelay(failures: number): number {
    const exponential = this.options.baseDelayMs * 2 ** Math.max(0, failures - 1);
    const capped = Math.min(this.options.maxDelayMs, exponential);
    return Math.round(capped + this.random() * this.options.jitterMs);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.runProbe().finally(() => (this.running = undefined));
    }, delayMs);
    this.timer.unref?.();
  }

  private async runProbe(): Promise<void> {
    const started = Date.now();
    let failure: unknown;
    let ok = false;
    try {
      await this.options.probe();
      ok = true;
    } catch (error) {
      failure = error;
    }
    try {
      if (ok) this.recordSuccess(started);
      else this.recordFailure(started, failure);
    } catch (error) {
      // The monitor must never take the process down, whatever a listener or logger does.
      this.options.logger.error({ err: (error as Error).message }, "dependency monitor bookkeeping failed");
    }
  }

  private recordSuccess(started: number) {
    const now = Date.now();
    const previous = this.state.status;
    this.state = {
      ...this.state,
      status: "up",
      lastCheckedAt: new Date(now).toISOString(),
      lastSuccessAt: new Date(now).toISOString(),
      lastDurationMs: now - started,
      consecutiveFailures: 0,
      retriesExhausted: false,
      nextRetryAt: new Date(now + this.options.probeIntervalMs).toISOString(),
    };
    if (previous !== "up") {
      this.options.logger.info(
        { dependency: this.options.dependency, endpoint: this.options.endpoint, durationMs: now - started },
        `${this.options.dependency} is reachable`,
      );
    }
    this.schedule(this.options.probeIntervalMs);
    this.emit(previous);
  }

  private recordFailure(started: number, error: unknown) {
    const now = Date.now();
    const previous = this.state.status;
    const failures = this.state.consecutiveFailures + 1;
    const message = error instanceof Error ? error.message : String(error);
    const code = errorCode(error);
    const exhausted = this.options.maxRetries > 0 && failures > this.options.maxRetries;
    const retryInMs = exhausted ? null : this.backoffDelay(failures);
    const nextRetryAt = retryInMs === null ? null : new Date(now + retryInMs).toISOString();
    this.state = {
      ...this.state,
      status: "down",
      lastCheckedAt: new Date(now).toISOString(),
      lastFailureAt: new Date(now).toISOString(),
      lastDurationMs: now - started,
      consecutiveFailures: failures,
      lastError: { code, message },
      nextRetryAt,
      retriesExhausted: exhausted,
    };
    const fields = {
      dependency: this.options.dependency,
      endpoint: this.options.endpoint,
      errorCode: code,
      message,
      retryInMs,
      nextRetryAt,
      consecutiveFailures: failures,
    };
    if (exhausted) {
      this.options.logger.error(
        { ...fields, maxRetries: this.options.maxRetries },
        `${this.options.dependency} unreachable; retries exhausted, probing stopped (serving continues)`,
      );
    } else {
      this.options.logger.warn(fields, `${this.options.dependency} unreachable; retrying`);
      this.schedule(retryInMs ?? this.options.maxDelayMs);
    }
    this.emit(previous);
  }

  private emit(previous: DependencyStatus) {
    if (previous === this.state.status) return;
    for (const listener of this.listeners) {
      try {
        listener(this.state.status, previous);
      } catch (error) {
        this.options.logger.error({ err: (error as Error).message }, "dependency status listener failed");
      }
    }
  }
}
