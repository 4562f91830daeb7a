import "server-only";
import { systemActor } from "../../contracts/actors";
import { type HiveContext, systemCall } from "../../context";
import { adoptAgent, listAgentRows, resetRestartBackoff } from "../../db/queries/agents";
import { notifyChange, publishEvent } from "../../db/queries/events";
import { listTransients } from "../../db/queries/transients";
import { withInFlightSlot } from "../../in-flight/with-in-flight-slot";
import { type AgentContainer, isUnreachable, isUp } from "../../runtime/types";
import { startAgent } from "../../services/agents/start-agent";
import type { RecoveryQueue } from "./recovery-queue";
import type { WatchScope } from "./watch-scope";

/** Agents that should run but do not are started this many side by side. */
const RECONCILE_CONCURRENCY = 6;
/** A recovered agent that stays up this long has its backoff reset. */
const STABLE_AFTER_MS = 10 * 60_000;

/**
 * Keeps what runs in line with what should: after every (re)seed of the fleet picture (start, engine back), agents
 * whose desired state is running but which are down are started, through the operators' start path. Every 10 s it
 * adopts agents created outside the dashboard, resets the backoff of agents stable for a while, and reconciles agents
 * whose node is reachable again.
 */
export class DesiredStateReconciler {
  constructor(
    private readonly scope: WatchScope,
    private readonly ctx: HiveContext,
    private readonly recovery: RecoveryQueue,
    /** Agents the engine's own shutdown stopped (no crash, so no recovery): started once the engine answers again. */
    private readonly takeStoppedWithEngine: () => Set<string>,
  ) {}

  /** Agents last seen on a node that could not be reached: when it is back, each is reconciled once. */
  private readonly unreachable = new Set<string>();

  private async containers(): Promise<AgentContainer[]> {
    return this.ctx.fleet.current() ?? (await this.ctx.runtime.listAgents());
  }

  /** After a (re)seed: adopt newcomers, then start agents whose desired state is running but which are down. */
  async reconcile(): Promise<void> {
    if (this.ctx.engine.status !== "up") return;
    await this.housekeeping();
    await this.ensureDesiredRunning();
  }

  /** Containers created outside the dashboard get a record; agents stable for a while get their backoff reset. */
  async housekeeping(): Promise<void> {
    if (this.ctx.engine.status !== "up") return;
    const db = this.ctx.db;
    const containers = await this.containers();
    const rows = new Map((await listAgentRows(db)).map((row) => [row.name, row]));
    let adopted = 0;
    const back = new Set<string>();
    for (const container of containers) {
      if (isUnreachable(container.state)) this.unreachable.add(container.name);
      else if (this.unreachable.delete(container.name)) back.add(container.name);
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
    // Their node is back, or the engine that stopped them answers again (a re-seed starts them too, when the engine was
    // seen down): a run lost with it is not a crash, so nothing else starts them if they should run.
    for (const agent of this.takeStoppedWithEngine()) back.add(agent);
    if (back.size > 0) await this.ensureDesiredRunning(back);
    // Housekeeping's other duties go on when the engine refuses this one for a while.
    await this.settleInterruptedRecreates().catch((error: Error) => this.scope.log.warn({ err: error.message }, "could not look for rebuilds left half done"));
    await this.recovery.schedule();
  }

  /**
   * A process killed mid-rebuild (or mid-adoption) leaves the old container parked as `hive-<name>-replaced-<stamp>`:
   * once no action holds the agent's slot (a dead replica's is reclaimed), the recreate is finished or undone, in the
   * slot, so a rebuild starting meanwhile waits its turn rather than racing the cleanup.
   */
  private async settleInterruptedRecreates() {
    const parked = await this.ctx.runtime.listInterruptedRecreates();
    if (!parked.length) return;
    const inFlight = new Set((await listTransients(this.ctx.db)).map((transient) => transient.agent));
    const settled = new Set<string>();
    for (const agent of parked.filter((name) => !inFlight.has(name))) {
      try {
        const request = { agent, kind: "rebuilding" as const, action: "settle interrupted rebuild", actor: "system:reconcile" };
        const outcome = await withInFlightSlot(this.ctx, request, () => this.ctx.runtime.settleInterruptedRecreate(agent));
        await publishEvent(this.ctx.db, { kind: "recreate_settled", agent, actor: "system:reconcile", detail: { outcome } });
        this.scope.log.info({ agent, outcome }, "settled a rebuild a dead process left half done");
        settled.add(agent);
      } catch (error) {
        this.scope.log.warn({ agent, err: (error as Error).message }, "could not settle a rebuild left half done");
      }
    }
    // An old container put back is stopped, and a new one the dead process made may never have been started: the
    // agents that should run are started.
    if (settled.size) await this.ensureDesiredRunning(settled);
  }

  /**
   * A dead replica's slot on the agent was reclaimed: its action was cut short. A rebuild it left half done is settled,
   * and an agent that should run but does not (a spawn whose container was made but not started) is started.
   */
  async afterReclaim(agent: string): Promise<void> {
    if (this.ctx.engine.status !== "up") return;
    await this.settleInterruptedRecreates().catch((error: Error) => this.scope.log.warn({ err: error.message }, "could not look for rebuilds left half done"));
    await this.ensureDesiredRunning(new Set([agent]));
  }

  /** Agents that should run but do not (engine restart, host reboot, dashboard down) are started. */
  private async ensureDesiredRunning(only?: ReadonlySet<string>) {
    const db = this.ctx.db;
    const rows = await listAgentRows(db);
    const inFlight = new Set((await listTransients(db)).map((transient) => transient.agent));
    const containers = new Map((await this.containers()).map((container) => [container.name, container]));
    const due = rows.filter((row) => {
      if (only && !only.has(row.name)) return false;
      const container = containers.get(row.name);
      // An agent on a node that cannot be reached is left alone: it may still run there, and it is pinned there.
      return !(!container || isUp(container.state) || isUnreachable(container.state) || row.desiredState !== "running" || row.destroyedAt || row.crashLoopingSince || inFlight.has(row.name));
    });
    // A few at a time: after an engine restart every agent is due at once, and one by one fifty take minutes.
    const next = () => due.shift();
    const worker = async () => {
      for (let row = next(); row; row = next()) await this.startDesired(row.name, containers.get(row.name)!);
    };
    await Promise.all(Array.from({ length: Math.min(RECONCILE_CONCURRENCY, due.length) }, worker));
  }

  private async startDesired(name: string, container: AgentContainer) {
    try {
      await startAgent({ ctx: systemCall(this.ctx, systemActor("system:reconcile")), input: { name, cause: "reconcile" } });
      await publishEvent(this.ctx.db, { kind: "agent_reconciled", agent: name, actor: "system:reconcile", detail: { from: container.state } });
      this.scope.log.info({ agent: name, from: container.state }, "started an agent whose desired state is running");
    } catch (error) {
      this.scope.log.warn({ agent: name, err: (error as Error).message }, "could not start an agent whose desired state is running");
    }
  }
}
