import "server-only";
import type { HiveContext } from "../../context";
import type { StopTransition } from "../../fleet/fleet-picture";
import { CrashRecorder } from "./crash-recorder";
import { DesiredStateReconciler } from "./desired-state-reconciler";
import { RecoveryQueue } from "./recovery-queue";
import { WatchScope } from "./watch-scope";

export { CRASH_LOOP_THRESHOLD } from "./crash-recorder";
export { restartDelayMs } from "./watch-scope";

const HOUSEKEEPING_MS = 10_000;
/** How long a stop this process saw while another replica led is kept, to be judged if leadership comes here. */
const STANDBY_KEPT_MS = 60_000;

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
  /**
   * Stops seen while this process did not lead. A leader killed mid-flight leaves deaths nobody judged until the next
   * one leads: that one judges what it saw meanwhile (a crash the old leader did record is keyed, so never twice).
   */
  private standbySeen: StopTransition[] = [];

  constructor(private readonly ctx: HiveContext) {
    this.scope = new WatchScope(ctx.logger.child({ component: "crash-watch" }));
    this.recovery = new RecoveryQueue(this.scope, ctx);
    this.recorder = new CrashRecorder(this.scope, ctx, () => void this.recovery.schedule());
    this.reconciler = new DesiredStateReconciler(this.scope, ctx, this.recovery, () => this.recorder.takeStoppedWithEngine());
    ctx.fleet.onStop((transition) => {
      if (this.scope.active) return;
      const keptSince = Date.now() - STANDBY_KEPT_MS;
      this.standbySeen = [...this.standbySeen.filter((seen) => seen.diedAt.getTime() >= keptSince), transition];
    });
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
    const judge = (transition: StopTransition) => this.scope.perAgent.run(transition.agent, () => this.scope.guard("crash", () => this.recorder.record(transition)));
    const keptSince = Date.now() - STANDBY_KEPT_MS;
    const seenMeanwhile = this.standbySeen.filter((seen) => seen.diedAt.getTime() >= keptSince);
    this.standbySeen = [];
    // Judged before the first reconcile, which would otherwise start a crashed agent before its crash is recorded.
    const judged = Promise.all(seenMeanwhile.map(judge));
    this.subscriptions = [
      events.subscribe((notice) => {
        this.recorder.hear(notice);
        // A dead replica's action was cut short: what it left (a container made but not started, a rebuild half
        // done) is settled, and the agent started if it should run.
        if (notice.kind === "transient_reclaimed" && notice.agent) {
          const agent = notice.agent;
          void this.exclusive("reclaimed", () => this.reconciler.afterReclaim(agent));
        }
      }),
      fleet.onStop((transition) => void judge(transition)),
      fleet.onReseed(() => void this.exclusive("reconcile", () => this.reconciler.reconcile())),
    ];
    if (seenMeanwhile.length) this.scope.log.info({ stops: seenMeanwhile.length }, "judging the stops seen while another replica led");
    if (fleet.current()) {
      void this.exclusive("reconcile", async () => {
        await judged;
        await this.reconciler.reconcile();
      });
    }
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
