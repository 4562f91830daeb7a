import "server-only";
import type { HiveApp } from "../app";
import { adoptAgent, clearScheduledRestart, resetRestartBackoff, dueRestarts, findAgent, listAgentRows, markCrashLooping, nextDueRestart, scheduleRestart } from "../db/queries/agents";
import { countCrashesSince, insertCrashOnce } from "../db/queries/crashes";
import { publishEvent } from "../db/queries/events";
import { listTransients } from "../db/queries/transients";
import type { AgentContainer } from "../runtime/types";
import { CRASH_WINDOW_MS, withInFlightSlot } from "../services/agent-action";

export const CRASH_LOOP_THRESHOLD = 5;
const FIRST_RESTART_DELAY_MS = 1_000;
const MAX_RESTART_DELAY_MS = 5 * 60_000;
/** A recovered agent that stays up this long has its backoff reset. */
const STABLE_AFTER_MS = 10 * 60_000;

type Observed = { containerId: string; state: AgentContainer["state"] };
const isUp = (state: AgentContainer["state"]) => state === "running" || state === "restarting";

export const restartDelayMs = (attempt: number) =>
  Math.min(MAX_RESTART_DELAY_MS, FIRST_RESTART_DELAY_MS * 2 ** Math.max(0, attempt - 1));

/**
 * Watches agent containers for unexpected stops and recovers them (leader only).
 * Sources: the engine's events stream (die/start/destroy), a reconcile poll as fallback and after stream
 * reconnects. A running→stopped transition with no action in flight and desired state running is a crash:
 * recorded once (keyed by container and exit time), announced, and restarted with exponential backoff until
 * it crash-loops. Whenever the engine (re)appears the picture is re-seeded without firing anything, and
 * agents that should run but do not are started.
 */
export class CrashWatch {
  private observed = new Map<string, Observed>();
  private stream: AbortController | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private recoveryTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private chain: Promise<void> = Promise.resolve();
  private active = false;

  constructor(
    private readonly app: HiveApp,
    private readonly pollIntervalMs = 10_000,
  ) {}

  private get log() {
    return this.app.logger.child({ component: "crash-watch" });
  }

  /** Runs handlers one at a time: events, polls and recovery never interleave on the observed map. */
  private exclusive(label: string, work: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(async () => {
      if (!this.active) return;
      try {
        await work();
      } catch (error) {
        this.log.warn({ err: (error as Error).message, step: label }, "crash watch step failed");
      }
    });
    return this.chain;
  }

  start(): void {
    if (this.active) return;
    this.active = true;
    this.unsubscribe = this.app.runtimeMonitor.onChange((status) => {
      if (status === "up") void this.engineAppeared();
      else this.closeStream();
    });
    if (this.app.runtimeMonitor.status === "up") void this.engineAppeared();
    this.pollTimer = setInterval(() => void this.exclusive("poll", () => this.poll()), this.pollIntervalMs);
    this.pollTimer.unref();
    void this.scheduleRecovery();
  }

  async stop(): Promise<void> {
    this.active = false;
    this.unsubscribe?.();
    this.closeStream();
    clearInterval(this.pollTimer);
    clearTimeout(this.recoveryTimer);
    await this.chain;
  }

  private async engineAppeared() {
    await this.exclusive("seed", async () => {
      await this.seed();
      await this.ensureDesiredRunning();
    });
    this.openStream();
  }

  /** Records what runs now, firing nothing: a stop we did not see happen is not a crash. */
  private async seed() {
    const containers = await this.app.runtime.listAgents();
    this.app.fleet.observe(containers);
    this.observed = new Map(containers.map((container) => [container.name, { containerId: container.containerId, state: container.state }]));
    await this.adopt(containers);
    this.log.info({ agents: containers.length }, "crash watch seeded");
  }

  private async adopt(containers: AgentContainer[]) {
    const known = new Set((await listAgentRows(this.app.database.db)).map((row) => row.name));
    for (const container of containers) {
      if (!known.has(container.name)) await adoptAgent(this.app.database.db, container.name, isUp(container.state) ? "running" : "stopped");
    }
  }

  private openStream() {
    if (!this.active || this.stream) return;
    const controller = new AbortController();
    this.stream = controller;
    void (async () => {
      this.log.debug("engine events stream opening");
      let failures = 0;
      while (this.active && !controller.signal.aborted && this.app.runtimeMonitor.status === "up") {
        try {
          for await (const event of this.app.runtime.events(controller.signal)) {
            failures = 0;
            await this.exclusive("event", () => this.onEvent(event.action, event.agent, event.containerId));
          }
        } catch (error) {
          if (controller.signal.aborted) break;
          this.log.warn({ err: (error as Error).message }, "engine events stream broke");
        }
        if (controller.signal.aborted || !this.active) break;
        // Reconnected: catch up on whatever happened while the stream was away.
        failures++;
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 250 * 2 ** failures)));
        await this.exclusive("poll", () => this.poll());
      }
      if (this.stream === controller) this.stream = undefined;
    })();
  }

  private closeStream() {
    this.stream?.abort();
    this.stream = undefined;
  }

  private async onEvent(action: string, agent: string, containerId: string) {
    this.log.debug({ action, agent, containerId: containerId.slice(0, 12) }, "engine event");
    if (action === "start") this.observed.set(agent, { containerId, state: "running" });
    else if (action === "die") await this.onStopped(agent, containerId);
    else if (action === "destroy" && this.observed.get(agent)?.containerId === containerId) this.observed.delete(agent);
  }

  private async poll() {
    if (this.app.runtimeMonitor.status !== "up") return;
    const containers = await this.app.runtime.listAgents();
    this.app.fleet.observe(containers);
    const rows = new Map((await listAgentRows(this.app.database.db)).map((row) => [row.name, row]));
    const seen = new Set<string>();
    for (const container of containers) {
      seen.add(container.name);
      const previous = this.observed.get(container.name);
      if (previous && previous.containerId === container.containerId && isUp(previous.state) && !isUp(container.state)) {
        await this.onStopped(container.name, container.containerId);
        continue;
      }
      this.observed.set(container.name, { containerId: container.containerId, state: container.state });
      const row = rows.get(container.name);
      if (!row) await adoptAgent(this.app.database.db, container.name, isUp(container.state) ? "running" : "stopped");
      else if (row.restartAttempt > 0 && container.state === "running" && container.startedAt && Date.now() - Date.parse(container.startedAt) > STABLE_AFTER_MS) {
        await resetRestartBackoff(this.app.database.db, container.name);
      }
    }
    for (const name of [...this.observed.keys()]) if (!seen.has(name)) this.observed.delete(name);
    await this.scheduleRecovery();
  }

  private async onStopped(agent: string, containerId: string) {
    const previous = this.observed.get(agent);
    this.observed.set(agent, { containerId, state: "exited" });
    this.log.debug({ agent, previous }, "container stopped");
    if (!previous || previous.containerId !== containerId || !isUp(previous.state)) return;
    const db = this.app.database.db;
    if ((await listTransients(db)).some((transient) => transient.agent === agent)) {
      this.log.debug({ agent }, "stop explained by an action in flight");
      return;
    }
    const row = await findAgent(db, agent);
    if (!row || row.desiredState !== "running" || row.destroyedAt) {
      this.log.debug({ agent, desired: row?.desiredState }, "stop matches the desired state");
      return;
    }
    const container = await this.settledContainer(agent, containerId);
    if (!container || container.containerId !== containerId || isUp(container.state)) {
      this.log.debug({ agent, state: container?.state }, "container already replaced or running again");
      return;
    }
    const lastLines = await this.app.runtime
      .logs(agent, { tail: 50, timestamps: true, stdout: true, stderr: true })
      .catch(() => []);
    const now = new Date();
    const crashedAt = container.finishedAt ? new Date(container.finishedAt) : now;
    const recent = (await countCrashesSince(db, agent, new Date(now.getTime() - CRASH_WINDOW_MS))) + 1;
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
        lastLines,
        outcome: looping ? "crash_looping" : "restart_scheduled",
        recordedBy: this.app.instanceId,
      });
      if (!crash) return null;
      if (looping) await markCrashLooping(tx, agent, now);
      else await scheduleRestart(tx, agent, new Date(now.getTime() + delay), attempt);
      await publishEvent(tx, {
        kind: "container_crash",
        agent,
        actor: "system:crash-watch",
        detail: { exitCode: container.exitCode, oomKilled: container.oomKilled, crashId: crash.id, outcome: crash.outcome, restartInMs: looping ? null : delay },
      });
      if (looping) {
        await publishEvent(tx, { kind: "crash_loop", agent, actor: "system:crash-watch", detail: { crashesInWindow: recent } });
      }
      return crash;
    });
    if (!recorded) return;
    this.log.warn({ agent, exitCode: container.exitCode, oomKilled: container.oomKilled, looping, restartInMs: looping ? null : delay }, "agent crashed");
    await this.scheduleRecovery();
  }

  /** The engine announces "die" a moment before its own state says exited: give it up to 2 s to agree. */
  private async settledContainer(agent: string, containerId: string) {
    for (let attempt = 0; ; attempt++) {
      const container = await this.app.runtime.inspectAgent(agent);
      if (!container || container.containerId !== containerId || !isUp(container.state) || attempt >= 20) return container;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Arms one timer for the earliest due restart. */
  private async scheduleRecovery() {
    if (!this.active) return;
    clearTimeout(this.recoveryTimer);
    const next = await nextDueRestart(this.app.database.db).catch(() => null);
    if (!next) return;
    const delay = Math.max(0, next.getTime() - Date.now());
    this.recoveryTimer = setTimeout(() => void this.exclusive("recover", () => this.runDueRestarts()), delay);
    this.recoveryTimer.unref();
  }

  private async runDueRestarts() {
    if (this.app.runtimeMonitor.status !== "up") return;
    const db = this.app.database.db;
    const inFlight = new Set((await listTransients(db)).map((transient) => transient.agent));
    for (const row of await dueRestarts(db, new Date())) {
      if (inFlight.has(row.name)) continue; // an operator is acting: their action decides
      const container = await this.app.runtime.inspectAgent(row.name);
      if (!container || isUp(container.state)) {
        await clearScheduledRestart(db, row.name);
        continue;
      }
      try {
        await withInFlightSlot({ app: this.app, agent: row.name, kind: "starting", action: "recover", actor: "system:recovery" }, async () => {
          await this.app.runtime.startAgent(row.name);
        });
        await clearScheduledRestart(db, row.name);
        this.observed.set(row.name, { containerId: container.containerId, state: "running" });
        await publishEvent(db, { kind: "agent_recovered", agent: row.name, actor: "system:recovery", detail: { attempt: row.restartAttempt } });
        this.log.info({ agent: row.name, attempt: row.restartAttempt }, "restarted a crashed agent");
      } catch (error) {
        this.log.warn({ agent: row.name, err: (error as Error).message }, "recovery restart failed; retrying later");
        await scheduleRestart(db, row.name, new Date(Date.now() + restartDelayMs(row.restartAttempt + 1)), row.restartAttempt + 1);
      }
    }
    await this.scheduleRecovery();
  }

  /** Agents that should run but do not (engine restart, host reboot, dashboard down) are started. */
  private async ensureDesiredRunning() {
    const db = this.app.database.db;
    const rows = await listAgentRows(db);
    const inFlight = new Set((await listTransients(db)).map((transient) => transient.agent));
    const containers = new Map((await this.app.runtime.listAgents()).map((container) => [container.name, container]));
    for (const row of rows) {
      const container = containers.get(row.name);
      if (!container || isUp(container.state) || row.desiredState !== "running" || row.destroyedAt || row.crashLoopingSince || inFlight.has(row.name)) continue;
      try {
        await withInFlightSlot({ app: this.app, agent: row.name, kind: "starting", action: "reconcile", actor: "system:reconcile" }, async () => {
          await this.app.runtime.startAgent(row.name);
        });
        this.observed.set(row.name, { containerId: container.containerId, state: "running" });
        await publishEvent(db, { kind: "agent_reconciled", agent: row.name, actor: "system:reconcile", detail: { from: container.state } });
        this.log.info({ agent: row.name, from: container.state }, "started an agent whose desired state is running");
      } catch (error) {
        this.log.warn({ agent: row.name, err: (error as Error).message }, "could not start an agent whose desired state is running");
      }
    }
  }
}
