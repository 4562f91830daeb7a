import "server-only";
import type { HiveContext } from "../../context";
import { CrashRecorder } from "./crash-recorder";
import { DesiredStateReconciler } from "./desired-state-reconciler";
import { RecoveryQueue } from "./recovery-queue";
import { WatchScope } from "./watch-scope";

export { CRASH_LOOP_THRESHOLD } from "./crash-recorder";
export { restartDelayMs } from "./watch-scope";

const HOUSEKEEPING_MS = 10_000;

/**
 * Crash watch and recovery (leader only), fed by the fleet picture's stop transitions: the recorder judges and records
 * crashes, the recovery queue restarts them with backoff, the reconciler starts what should run after every (re)seed.
 * Reconciles and housekeeping run one at a time; crashes and restarts run in order per agent.
 */
export class CrashWatch {
  private readonly scope: WatchScope;
  private readonly recorder: CrashRecorder;
  private readonly recovery: RecoveryQueue;
  private readonly reconciler: DesiredStateReconciler;
  private housekeepingTimer: NodeJS.Timeout | undefined;
  private subscriptions: (() => void)[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: HiveContext) {
    this.scope = new WatchScope(ctx.logger.child({ component: "crash-watch" }));
    this.recovery = new RecoveryQueue(this.scope, ctx);
    this.recorder = new CrashRecorder(this.scope, ctx, () => void this.recovery.schedule());
    this.reconciler = new DesiredStateReconciler(this.scope, ctx, this.recovery);
  }

  private exclusive(label: string, work: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(() => this.scope.guard(label, work));
    return this.chain;
  }

  start(): void {
    if (this.scope.active) return;
    this.scope.active = true;
    const { fleet, events } = this.ctx;
    this.recorder.begin();
    this.subscriptions = [
      events.subscribe((notice) => this.recorder.hear(notice)),
      fleet.onStop((transition) => void this.scope.perAgent.run(transition.agent, () => this.scope.guard("crash", () => this.recorder.record(transition)))),
      fleet.onReseed(() => void this.exclusive("reconcile", () => this.reconciler.reconcile())),
    ];
    if (fleet.current()) void this.exclusive("reconcile", () => this.reconciler.reconcile());
    this.housekeepingTimer = setInterval(() => {
      this.recorder.tidy();
      void this.exclusive("housekeeping", () => this.reconciler.housekeeping());
    }, HOUSEKEEPING_MS);
    this.housekeepingTimer.unref();
    void this.recovery.schedule();
  }

  async stop(): Promise<void> {
    this.scope.active = false;
    for (const unsubscribe of this.subscriptions) unsubscribe();
    this.subscriptions = [];
    clearInterval(this.housekeepingTimer);
    this.recovery.stop();
    await this.chain;
    await this.scope.perAgent.idle();
    this.recovery.clear();
    await this.recorder.stop();
  }
}
