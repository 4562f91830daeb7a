import "server-only";
import type { HiveContext } from "../../context";
import { findAgent, markCrashLooping, scheduleRestart } from "../../db/queries/agents";
import { addCrashLines, countCrashesSince, insertCrashOnce } from "../../db/queries/crashes";
import { publishEvent } from "../../db/queries/events";
import { listTransients } from "../../db/queries/transients";
import type { HubMessage } from "../../events/event-hub";
import type { StopTransition } from "../../fleet/fleet-picture";
import { isUp, type LogLine } from "../../runtime/types";
import { withTimeout } from "../../timeout";
import { restartDelayMs, type WatchScope } from "./watch-scope";

export const CRASH_LOOP_THRESHOLD = 5;
const CRASH_WINDOW_MS = 10 * 60_000;
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
/** How long a stopping crash watch gives last lines still on their way to reach their records. */
const LATE_LINES_GRACE_MS = 2_000;

/**
 * Judges each stop the fleet picture announces: a stop with no action in flight while the desired state is running is
 * a crash, recorded once (keyed by container and exit time, so a second observer or replica cannot record it again)
 * and announced; then the recovery queue hears of it (unless the engine restarts agents itself). Five crashes in ten
 * minutes mark the agent crash-looping.
 */
export class CrashRecorder {
  /** Last lines still being read for crashes already recorded without them. */
  private readonly lateLines = new Set<Promise<void>>();
  /** When this process last heard of an action on each agent (any replica's notice; Date.now()). */
  private readonly actedOn = new Map<string, number>();
  /** When this watch began or its notices may have had a gap: any agent may have been acted on until the aftermath ends. */
  private unsureSince = 0;
  /** Agents judged stopped by the engine's own shutdown, not yet seen back by a reconcile. */
  private readonly stoppedWithEngine = new Set<string>();

  constructor(
    private readonly scope: WatchScope,
    private readonly ctx: HiveContext,
    private readonly onRecorded: () => void,
  ) {}

  /** Actions that ended before the watch began (another leader's, or this process's before it led) are not known. */
  begin(): void {
    this.unsureSince = Date.now();
  }

  /** Every replica's action notices say which agents were acted on lately. */
  hear(notice: HubMessage): void {
    if (notice.kind === "resync") this.unsureSince = Date.now();
    else if (notice.agent && ACTION_NOTICES.has(notice.kind)) this.actedOn.set(notice.agent, Date.now());
  }

  /** Forgets actions whose aftermath is over. */
  tidy(): void {
    for (const [agent, at] of this.actedOn) if (Date.now() - at >= ACTION_AFTERMATH_MS) this.actedOn.delete(agent);
  }

  /** The agents the engine's shutdown stopped since the last call: they are started when the engine is up again. */
  takeStoppedWithEngine(): Set<string> {
    const taken = new Set(this.stoppedWithEngine);
    this.stoppedWithEngine.clear();
    return taken;
  }

  /**
   * Whether the engine is going away: a stopping dockerd closes its API socket before it stops the agents, and their
   * deaths still arrive on the events stream already open. A refused connection is that evidence; an engine that is
   * only slow to answer is not, so a genuine crash on a busy engine is still recorded.
   */
  private async engineGoingAway(diedAt: Date): Promise<string | null> {
    // Judged late (a busy process): the engine may be back already, but the monitor saw it fail after the death.
    const failedAt = this.ctx.engine.snapshot().lastFailureAt;
    if (failedAt && Date.parse(failedAt) >= diedAt.getTime()) return `the engine was unreachable at ${failedAt}, after the death`;
    try {
      await this.ctx.runtime.ping();
      return null;
    } catch (error) {
      const message = (error as Error).message;
      if (/^ETIMEDOUT\b/.test(message)) return null;
      this.ctx.engine.reportFailure(); // health reads it down now, not at the next probe
      return message;
    }
  }

  async stop(): Promise<void> {
    await withTimeout(Promise.all(this.lateLines), LATE_LINES_GRACE_MS, "late crash lines").catch(() => undefined);
  }

  /**
   * Whether an action on the agent ended so lately, here or on another replica, that a death now may be its doing.
   * Notices tell of every replica's actions; this process knows of its own release before that notice comes back.
   */
  private actionNear(agent: string): boolean {
    const last = Math.max(this.unsureSince, this.actedOn.get(agent) ?? 0, this.ctx.slots.releasedAt(agent) ?? 0);
    return Date.now() - last < ACTION_AFTERMATH_MS;
  }

  async record({ agent, containerId, via, diedAt, container: seen }: StopTransition) {
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
    const engineGone = await this.engineGoingAway(diedAt);
    if (engineGone !== null) {
      this.stoppedWithEngine.add(agent);
      this.scope.log.info({ agent, exitCode: container.exitCode, engine: engineGone }, "agent stopped as the engine went away; not a crash");
      return;
    }
    const crashedAt = container.finishedAt ? new Date(container.finishedAt) : now;
    const recent = earlier + 1;
    const looping = recent >= CRASH_LOOP_THRESHOLD;
    // An engine that restarts agents by itself has started this one again already: the record is all that is left.
    const engineRestarts = this.ctx.runtime.capabilities.restartsAgentsItself;
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
        outcome: looping ? "crash_looping" : engineRestarts ? "restarted_by_engine" : "restart_scheduled",
        recordedBy: this.ctx.instanceId,
      });
      if (!crash) return null;
      if (looping) await markCrashLooping(tx, agent, now);
      else if (!engineRestarts) await scheduleRestart(tx, agent, new Date(now.getTime() + delay), attempt);
      await publishEvent(tx, {
        kind: "container_crash",
        agent,
        actor: "system:crash-watch",
        detail: {
          exitCode: container.exitCode,
          oomKilled: container.oomKilled,
          crashId: crash.id,
          outcome: crash.outcome,
          restartInMs: looping || engineRestarts ? null : delay,
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
    this.scope.log.warn({ agent, exitCode: container.exitCode, oomKilled: container.oomKilled, looping, restartInMs: looping || engineRestarts ? null : delay, ...timing }, "agent crashed");
    this.onRecorded();
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
        this.scope.log.info({ agent: crash.agent, crashId: crash.id, lines: late.length }, "added a crash's last lines");
      }
    } catch (error) {
      this.scope.log.warn({ agent: crash.agent, crashId: crash.id, err: (error as Error).message }, "could not add a crash's last lines");
    }
  }
}
