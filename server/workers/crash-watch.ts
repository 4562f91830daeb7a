import "server-only";
import { systemActor } from "../contracts/actors";
import { type HiveContext, systemCall } from "../context";
import {
  adoptAgent,
  clearScheduledRestart,
  dueRestarts,
  findAgent,
  listAgentRows,
  markCrashLooping,
  nextDueRestart,
  resetRestartBackoff,
  scheduleRestart,
} from "../db/queries/agents";
import { addCrashLines, countCrashesSince, insertCrashOnce } from "../db/queries/crashes";
import { notifyChange, publishEvent } from "../db/queries/events";
import { listTransients } from "../db/queries/transients";
import { isUp } from "../runtime/status-line";
import type { AgentContainer, LogLine } from "../runtime/types";
import { startAgent } from "../services/agents/start-agent";
import { withTimeout } from "../timeout";
import type { StopTransition } from "../fleet/fleet-picture";
import { KeyedSerial } from "./keyed-serial";

export const CRASH_LOOP_THRESHOLD = 5;
const CRASH_WINDOW_MS = 10 * 60_000;
const FIRST_RESTART_DELAY_MS = 1_000;
const MAX_RESTART_DELAY_MS = 5 * 60_000;
/** A recovered agent that stays up this long has its backoff reset. */
const STABLE_AFTER_MS = 10 * 60_000;
const HOUSEKEEPING_MS = 10_000;
/**
 * How long a crash seen in the events stream waits for the engine's inspect (and its last lines) before its event's
 * account stands, when it asks for one. The in-flight slot is what tells an action's stop from a crash; the inspect is
 * a second look, for deaths that an action which has just freed its slot may explain.
 */
const CONFIRM_WAIT_MS = 150;
/** How long after an action on an agent (on any replica) a death of its container may still be that action's doing. */
const ACTION_AFTERMATH_MS = 10_000;
/** How long the record of a death that no action explains waits for its last lines; past it they are added later. */
const LINES_WAIT_MS = 50;
/** Notices of an action on an agent, from this replica or another. */
const ACTION_NOTICES = new Set(["action_started", "action_finished", "action_failed"]);
/**
 * Crashed agents restarted side by side at most. A crash storm is recovered a few agents at a time, oldest crash first,
 * so that the engine (and the crash watch, which must hear of the next death) stay responsive.
 */
const RECOVERY_CONCURRENCY = 4;
/** How long a stopping crash watch gives last lines still on their way to reach their records. */
const LATE_LINES_GRACE_MS = 2_000;

export const restartDelayMs = (attempt: number) =>
  Math.min(MAX_RESTART_DELAY_MS, FIRST_RESTART_DELAY_MS * 2 ** Math.max(0, attempt - 1));

/**
 * Crash watch and recovery (leader only), fed by the fleet watcher's stop transitions.
 * A stop with no action in flight while the desired state is running is a crash: recorded once (keyed by
 * container and exit time, so a second observer or replica cannot record it again), announced, and restarted
 * with exponential backoff until the agent crash-loops. Whenever the fleet is re-seeded (start, engine back)
 * nothing is judged; agents that should run but do not are started instead.
 */
export class CrashWatch {
  private recoveryTimer: NodeJS.Timeout | undefined;
  private housekeepingTimer: NodeJS.Timeout | undefined;
  private subscriptions: (() => void)[] = [];
  private chain: Promise<void> = Promise.resolve();
  private readonly perAgent = new KeyedSerial();
  /** Last lines still being read for crashes already recorded without them. */
  private readonly lateLines = new Set<Promise<void>>();
  /** Due restarts waiting for a recovery worker, and the agents queued or under way. */
  private readonly recoveryQueue: { name: string; restartAttempt: number }[] = [];
  private readonly recovering = new Set<string>();
  private recoveryWorkers = 0;
  /** When this process last heard of an action on each agent (any replica's notice; Date.now()). */
  private readonly actedOn = new Map<string, number>();
  /** When this watch began or its notices may have had a gap: any agent may have been acted on until the aftermath ends. */
  private unsureSince = 0;
  private active = false;

  constructor(private readonly ctx: HiveContext) {}

  private get log() {
    return this.ctx.logger.child({ component: "crash-watch" });
  }

  /** Reconciles and housekeeping run one at a time; crashes and restarts run in order per agent. */
  private exclusive(label: string, work: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(() => this.guard(label, work));
    return this.chain;
  }

  private async guard(label: string, work: () => Promise<void>): Promise<void> {
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

  start(): void {
    if (this.active) return;
    this.active = true;
    const fleet = this.ctx.fleet;
    // Actions that ended before this watch began (another leader's, or this process's before it led) are not known.
    this.unsureSince = Date.now();
    this.subscriptions = [
      this.ctx.events.subscribe((notice) => {
        if (notice.kind === "resync") this.unsureSince = Date.now();
        else if (notice.agent && ACTION_NOTICES.has(notice.kind)) this.actedOn.set(notice.agent, Date.now());
      }),
      fleet.onStop((transition) => void this.perAgent.run(transition.agent, () => this.guard("crash", () => this.onStopped(transition)))),
      fleet.onReseed(() => void this.exclusive("reconcile", () => this.reconcile())),
    ];
    if (fleet.current()) void this.exclusive("reconcile", () => this.reconcile());
    this.housekeepingTimer = setInterval(() => void this.exclusive("housekeeping", () => this.housekeeping()), HOUSEKEEPING_MS);
    this.housekeepingTimer.unref();
    void this.scheduleRecovery();
  }

  async stop(): Promise<void> {
    this.active = false;
    for (const unsubscribe of this.subscriptions) unsubscribe();
    this.subscriptions = [];
    clearInterval(this.housekeepingTimer);
    clearTimeout(this.recoveryTimer);
    this.recoveryQueue.length = 0; // restarts under way finish; queued ones are due again for the next leader
    await this.chain;
    await this.perAgent.idle();
    this.recovering.clear();
    await withTimeout(Promise.all(this.lateLines), LATE_LINES_GRACE_MS, "late crash lines").catch(() => undefined);
  }

  private async containers(): Promise<AgentContainer[]> {
    return this.ctx.fleet.current() ?? (await this.ctx.runtime.listAgents());
  }

  /** After a (re)seed: adopt newcomers, then start agents whose desired state is running but which are down. */
  private async reconcile() {
    if (this.ctx.engine.status !== "up") return;
    await this.housekeeping();
    await this.ensureDesiredRunning();
  }

  /**
   * Whether an action on the agent ended so lately, here or on another replica, that a death now may be its doing.
   * Notices tell of every replica's actions; this process knows of its own release before that notice comes back.
   */
  private actionNear(agent: string): boolean {
    const last = Math.max(this.unsureSince, this.actedOn.get(agent) ?? 0, this.ctx.slots.releasedAt(agent) ?? 0);
    return Date.now() - last < ACTION_AFTERMATH_MS;
  }

  /** Containers created outside the dashboard get a record; agents stable for a while get their backoff reset. */
  private async housekeeping() {
    for (const [agent, at] of this.actedOn) if (Date.now() - at >= ACTION_AFTERMATH_MS) this.actedOn.delete(agent);
    if (this.ctx.engine.status !== "up") return;
    const db = this.ctx.db;
    const containers = await this.containers();
    const rows = new Map((await listAgentRows(db)).map((row) => [row.name, row]));
    let adopted = 0;
    for (const container of containers) {
      const row = rows.get(container.name);
      if (!row) {
        await adoptAgent(db, container.name, isUp(container.state) ? "running" : "stopped");
        adopted++;
      } else if (
        row.restartAttempt > 0 &&
        container.state === "running" &&
        container.startedAt &&
        Date.now() - Date.parse(container.startedAt) > STABLE_AFTER_MS
      ) {
        await resetRestartBackoff(db, container.name);
      }
    }
    if (adopted > 0) await notifyChange(db, { kind: "agents_adopted", agent: null });
    await this.scheduleRecovery();
  }

  private async onStopped({ agent, containerId, via, diedAt, container: seen }: StopTransition) {
    if (this.ctx.slots.holds(agent)) return; // this process's own action explains it
    const db = this.ctx.db;
    const now = new Date();
    const began = performance.now();
    const heardMs = now.getTime() - diedAt.getTime();
    const [transients, row, earlier] = await Promise.all([
      listTransients(db),
      findAgent(db, agent),
      countCrashesSince(db, agent, new Date(now.getTime() - CRASH_WINDOW_MS)),
    ]);
    if (transients.some((transient) => transient.agent === agent)) return; // an action explains it
    if (!row || row.desiredState !== "running" || row.destroyedAt) return; // an operator's stop, or a destroy
    // A poll's list lacks the exit details, so the engine is asked and waited for. An event has them; the engine's own
    // look is then asked for only when an action ended lately, to tell whether the container is back already (the
    // action freed its slot before this death came off the events stream). A busy engine answers it only once the
    // container is cleaned up, so the event's account stands after a short wait.
    // The last lines get a short wait too: past it the crash is recorded without them and they are added when they
    // come, so a busy engine delays the record of what happened, not the news that it did.
    const secondLook = via === "poll" || this.actionNear(agent);
    const askedAt = performance.now();
    const lines = this.ctx.runtime.logs(agent, { tail: 50, timestamps: true, stdout: true, stderr: true }).catch((): LogLine[] => []);
    const inspect = () => this.ctx.runtime.inspectAgent(agent);
    const [looked, lastLines] = await Promise.all([
      via === "poll" ? inspect() : secondLook ? withTimeout(inspect(), CONFIRM_WAIT_MS, "inspect").catch(() => undefined) : undefined,
      withTimeout(lines, secondLook ? CONFIRM_WAIT_MS : LINES_WAIT_MS, "last lines").catch(() => undefined),
    ]);
    const checkedAt = performance.now();
    const container = looked === undefined ? seen : looked;
    if (!container || container.containerId !== containerId || isUp(container.state)) return; // replaced or back up
    if (this.ctx.fleet.movedOnFrom(agent, containerId, diedAt)) return; // gone, replaced or back up, as later events tell
    const crashedAt = container.finishedAt ? new Date(container.finishedAt) : now;
    const recent = earlier + 1;
    const looping = recent >= CRASH_LOOP_THRESHOLD;
    const attempt = row.restartAttempt + 1;
    const delay = restartDelayMs(attempt);
    const recorded = await db.transaction(async (tx) => {
      const crash = await insertCrashOnce(tx, {
        agent,
        containerId,
        crashedAt,
        exitCode: container.exitCode,
        oomKilled: container.oomKilled,
        lastLines: lastLines ?? [],
        outcome: looping ? "crash_looping" : "restart_scheduled",
        recordedBy: this.ctx.instanceId,
      });
      if (!crash) return null;
      if (looping) await markCrashLooping(tx, agent, now);
      else await scheduleRestart(tx, agent, new Date(now.getTime() + delay), attempt);
      await publishEvent(tx, {
        kind: "container_crash",
        agent,
        actor: "system:crash-watch",
        detail: {
          exitCode: container.exitCode,
          oomKilled: container.oomKilled,
          crashId: crash.id,
          outcome: crash.outcome,
          restartInMs: looping ? null : delay,
        },
      });
      if (looping) await publishEvent(tx, { kind: "crash_loop", agent, actor: "system:crash-watch", detail: { crashesInWindow: recent } });
      return crash;
    });
    if (!recorded) return;
    // How long the record took, from the death (the engine's clock) and by step, so a slow detection can be explained.
    const timing = {
      heardMs,
      sinceDeathMs: Date.now() - diedAt.getTime(),
      checkMs: Math.round(askedAt - began),
      engineMs: Math.round(checkedAt - askedAt),
      recordMs: Math.round(performance.now() - checkedAt),
      secondLook,
      confirmed: looked !== undefined,
      linesLater: lastLines === undefined,
    };
    this.log.warn({ agent, exitCode: container.exitCode, oomKilled: container.oomKilled, looping, restartInMs: looping ? null : delay, ...timing }, "agent crashed");
    await this.scheduleRecovery();
    // Outside the agent's queue: its recovery restart must not wait for a slow read of its log.
    if (lastLines === undefined) {
      const adding = this.addLateLines(recorded, lines);
      this.lateLines.add(adding);
      void adding.finally(() => this.lateLines.delete(adding));
    }
  }

  private async addLateLines(crash: { id: number; agent: string }, lines: Promise<LogLine[]>) {
    try {
      const late = await lines;
      if (late.length && (await addCrashLines(this.ctx.db, crash, late))) {
        this.log.info({ agent: crash.agent, crashId: crash.id, lines: late.length }, "added a crash's last lines");
      }
    } catch (error) {
      this.log.warn({ agent: crash.agent, crashId: crash.id, err: (error as Error).message }, "could not add a crash's last lines");
    }
  }

  /** Arms one timer for the earliest due restart that is not queued already. */
  private async scheduleRecovery() {
    if (!this.active) return;
    clearTimeout(this.recoveryTimer);
    const next = await nextDueRestart(this.ctx.db, [...this.recovering]).catch(() => null);
    if (!next) return;
    const delay = Math.max(0, next.getTime() - Date.now());
    this.recoveryTimer = setTimeout(() => void this.guard("recover", () => this.runDueRestarts()), delay);
    this.recoveryTimer.unref();
  }

  /** Queues the due restarts (oldest first) for the recovery workers. */
  private async runDueRestarts() {
    if (this.ctx.engine.status !== "up") return;
    // Agents with an action in flight are left to it; those queued already keep their place.
    const due = await dueRestarts(this.ctx.db, new Date(), [...this.recovering]);
    for (const row of due) {
      this.recovering.add(row.name);
      this.recoveryQueue.push(row);
    }
    while (this.recoveryWorkers < RECOVERY_CONCURRENCY && this.recoveryQueue.length > 0) void this.recoveryWorker();
    await this.scheduleRecovery();
  }

  private async recoveryWorker() {
    this.recoveryWorkers++;
    try {
      for (let row = this.recoveryQueue.shift(); row; row = this.recoveryQueue.shift()) {
        if (this.active) await this.perAgent.run(row.name, () => this.guard("recover", () => this.restartCrashed(row)));
        this.recovering.delete(row.name);
        // A failed restart was scheduled again, later; the timer must know.
        await this.scheduleRecovery();
      }
    } finally {
      this.recoveryWorkers--;
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
      this.log.info({ agent: row.name, attempt: row.restartAttempt }, "restarted a crashed agent");
    } catch (error) {
      this.log.warn({ agent: row.name, err: (error as Error).message }, "recovery restart failed; retrying later");
      await scheduleRestart(db, row.name, new Date(Date.now() + restartDelayMs(row.restartAttempt + 1)), row.restartAttempt + 1);
    }
  }

  /** Agents that should run but do not (engine restart, host reboot, dashboard down) are started. */
  private async ensureDesiredRunning() {
    const db = this.ctx.db;
    const rows = await listAgentRows(db);
    const inFlight = new Set((await listTransients(db)).map((transient) => transient.agent));
    const containers = new Map((await this.containers()).map((container) => [container.name, container]));
    for (const row of rows) {
      const container = containers.get(row.name);
      if (!container || isUp(container.state) || row.desiredState !== "running" || row.destroyedAt || row.crashLoopingSince || inFlight.has(row.name)) {
        continue;
      }
      try {
        await startAgent({ ctx: systemCall(this.ctx, systemActor("system:reconcile")), input: { name: row.name, cause: "reconcile" } });
        await publishEvent(db, { kind: "agent_reconciled", agent: row.name, actor: "system:reconcile", detail: { from: container.state } });
        this.log.info({ agent: row.name, from: container.state }, "started an agent whose desired state is running");
      } catch (error) {
        this.log.warn({ agent: row.name, err: (error as Error).message }, "could not start an agent whose desired state is running");
      }
    }
  }
}

