import "server-only";
import { systemActor } from "../../contracts/actors";
import { type HiveContext, systemCall } from "../../context";
import { clearScheduledRestart, dueRestarts, nextDueRestart, scheduleRestart } from "../../db/queries/agents";
import { notifyChange, publishEvent } from "../../db/queries/events";
import { isUp } from "../../runtime/types";
import { startAgent } from "../../services/agents/start-agent";
import { restartDelayMs, type WatchScope } from "./watch-scope";

/**
 * Crashed agents restarted side by side at most. A crash storm is recovered a few agents at a time, oldest crash first,
 * so that the engine (and the crash watch, which must hear of the next death) stay responsive.
 */
const RECOVERY_CONCURRENCY = 4;

/**
 * Restarts crashed agents when their backoff is due (1 s doubling to 5 min), through the operators' start path, a few
 * at a time, oldest crash first. A restart that fails is due again later.
 */
export class RecoveryQueue {
  private timer: NodeJS.Timeout | undefined;
  /** Due restarts waiting for a recovery worker, and the agents queued or under way. */
  private readonly queue: { name: string; restartAttempt: number }[] = [];
  private readonly recovering = new Set<string>();
  private workers = 0;

  constructor(
    private readonly scope: WatchScope,
    private readonly ctx: HiveContext,
  ) {}

  /** Restarts under way finish; queued ones are due again for the next leader. */
  stop(): void {
    clearTimeout(this.timer);
    this.queue.length = 0;
  }

  /** Forgets the agents it had queued (once the watch has stopped and its restarts have ended). */
  clear(): void {
    this.recovering.clear();
  }

  /** Arms one timer for the earliest due restart that is not queued already. */
  async schedule(): Promise<void> {
    if (!this.scope.active) return;
    clearTimeout(this.timer);
    const next = await nextDueRestart(this.ctx.db, [...this.recovering]).catch(() => null);
    if (!next) return;
    const delay = Math.max(0, next.getTime() - Date.now());
    this.timer = setTimeout(() => void this.scope.guard("recover", () => this.runDueRestarts()), delay);
    this.timer.unref();
  }

  /** Queues the due restarts (oldest first) for the recovery workers. */
  private async runDueRestarts() {
    if (this.ctx.engine.status !== "up") return;
    // Agents with an action in flight are left to it; those queued already keep their place.
    const due = await dueRestarts(this.ctx.db, new Date(), [...this.recovering]);
    for (const row of due) {
      this.recovering.add(row.name);
      this.queue.push(row);
    }
    while (this.workers < RECOVERY_CONCURRENCY && this.queue.length > 0) void this.worker();
    await this.schedule();
  }

  private async worker() {
    this.workers++;
    try {
      for (let row = this.queue.shift(); row; row = this.queue.shift()) {
        if (this.scope.active) await this.scope.perAgent.run(row.name, () => this.scope.guard("recover", () => this.restartCrashed(row)));
        this.recovering.delete(row.name);
        // A failed restart was scheduled again, later; the timer must know.
        await this.schedule();
      }
    } finally {
      this.workers--;
    }
  }

  private async restartCrashed(row: { name: string; restartAttempt: number }) {
    const db = this.ctx.db;
    try {
      const container = await this.ctx.runtime.inspectAgent(row.name);
      if (!container || isUp(container.state)) {
        await clearScheduledRestart(db, row.name);
        await notifyChange(db, { kind: "restart_cancelled", agent: row.name });
        return;
      }
      // Through the operators' start path; it stops the restart being due before the slot is freed.
      await startAgent({ ctx: systemCall(this.ctx, systemActor("system:recovery")), input: { name: row.name, cause: "recovery" } });
      await publishEvent(db, { kind: "agent_recovered", agent: row.name, actor: "system:recovery", detail: { attempt: row.restartAttempt } });
      this.scope.log.info({ agent: row.name, attempt: row.restartAttempt }, "restarted a crashed agent");
    } catch (error) {
      this.scope.log.warn({ agent: row.name, err: (error as Error).message }, "recovery restart failed; retrying later");
      await scheduleRestart(db, row.name, new Date(Date.now() + restartDelayMs(row.restartAttempt + 1)), row.restartAttempt + 1);
    }
  }
}
