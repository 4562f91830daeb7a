import "server-only";
import { type HiveContext, systemCall } from "../../context";
import { listAgentRows } from "../../db/queries/agents";
import { listTransients } from "../../db/queries/transients";
import { appendStateTransitions, latestStates, type NewStateLogRow, readUptimeWatch, writeUptimeWatch } from "../../db/queries/uptime";
import type { AgentContainer } from "../../runtime/types";
import { materialiseUptime } from "../../services/uptime/materialise-uptime";
import { observedRunState, type RunState } from "./observed-run-state";

const OBSERVE_MS = 5_000;
const MATERIALISE_MS = 60_000;

/**
 * Uptime (leader only): appends each observed change of an agent's run state to the state log, keeps the watch's
 * high-water mark (after it, time is unknown: the dashboard was not looking), and materialises hourly buckets.
 */
export class UptimeWorker {
  private observeTimer: NodeJS.Timeout | undefined;
  private materialiseTimer: NodeJS.Timeout | undefined;
  private subscriptions: (() => void)[] = [];
  private chain: Promise<void> = Promise.resolve();
  private active = false;
  /** Each agent's last logged state; null until loaded from the log when leadership begins. */
  private last: Map<string, { state: RunState; at: Date; reason?: string }> | null = null;
  /** Set when the watch (re)begins: the first look's states are as of now, never back-dated over the gap. */
  private resuming = true;

  constructor(private readonly ctx: HiveContext) {}

  start(): void {
    if (this.active) return;
    this.active = true;
    this.last = null;
    this.resuming = true;
    this.subscriptions = [
      this.ctx.fleet.onStop(() => this.observeSoon()),
      this.ctx.fleet.onReseed(() => this.observeSoon()),
    ];
    this.observeTimer = setInterval(() => this.observeSoon(), OBSERVE_MS);
    this.observeTimer.unref();
    this.materialiseTimer = setInterval(() => void this.serial("materialise", () => this.materialise()), MATERIALISE_MS);
    this.materialiseTimer.unref();
    this.observeSoon();
    void this.serial("materialise", () => this.materialise());
  }

  async stop(): Promise<void> {
    this.active = false;
    clearInterval(this.observeTimer);
    clearInterval(this.materialiseTimer);
    for (const unsubscribe of this.subscriptions) unsubscribe();
    this.subscriptions = [];
    await this.chain;
  }

  private observeSoon() {
    void this.serial("observe", () => this.observe());
  }

  private serial(label: string, work: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(async () => {
      if (!this.active) return;
      try {
        await work();
      } catch (error) {
        this.ctx.logger.warn({ step: label, err: (error as Error).message }, "uptime worker step failed");
      }
    });
    return this.chain;
  }

  async materialise(now = new Date(), agents?: string[]): Promise<void> {
    await materialiseUptime({ ctx: systemCall(this.ctx, null), input: { now, agents } });
  }

  /** One look at the fleet: a log row for every agent whose run state differs from its last logged one. */
  async observe(): Promise<void> {
    const { db } = this.ctx;
    const now = new Date();
    if (!this.last) {
      this.last = await latestStates(db);
      await this.markGap(now);
    }
    const engineUp = this.ctx.engine.status === "up";
    let containers: AgentContainer[] = [];
    let listed = engineUp;
    if (engineUp) {
      try {
        containers = this.ctx.fleet.current() ?? (await this.ctx.runtime.listAgents());
      } catch {
        listed = false;
      }
    }
    const byName = new Map(containers.map((container) => [container.name, container]));
    const agents = new Map((await listAgentRows(db)).map((row) => [row.name, row]));
    // An operator's (or a manager agent's) action; the crash watch's own restart of a crashed agent is still downtime.
    const inFlight = new Set((await listTransients(db)).filter((row) => !row.startedBy.startsWith("system:")).map((row) => row.agent));
    const rows: NewStateLogRow[] = [];
    for (const name of new Set([...agents.keys(), ...byName.keys(), ...this.last.keys()])) {
      const last = this.last.get(name);
      const observed = observedRunState({ engineUp: listed, container: byName.get(name), agent: agents.get(name), actionInFlight: inFlight.has(name) });
      if (!observed || (observed.reason === "gone" && (!last || last.reason === "gone"))) continue;
      if (last && last.state === observed.state && (observed.reason !== "gone" || last.reason === "gone")) continue;
      const since = observed.since ? Date.parse(observed.since) : NaN;
      const at = !this.resuming && since > (last?.at.getTime() ?? 0) && since <= now.getTime() ? new Date(since) : now;
      rows.push({ agent: name, state: observed.state, at, reason: observed.reason, recordedBy: this.ctx.instanceId });
    }
    await appendStateTransitions(db, rows);
    for (const row of rows) this.last.set(row.agent, { state: row.state, at: row.at as Date, reason: row.reason });
    await writeUptimeWatch(db, now, this.ctx.instanceId);
    this.resuming = false;
    // The table's figures show a change within a look, not at the next full pass.
    if (rows.length) await this.materialise(now, [...new Set(rows.map((row) => row.agent))]);
  }

  /** The time since the watch last looked (the dashboard down, or leadership changing hands) is unknown. */
  private async markGap(now: Date) {
    const watchedUntil = await readUptimeWatch(this.ctx.db);
    if (!watchedUntil || !this.last) return;
    const rows: NewStateLogRow[] = [];
    for (const [agent, last] of this.last) {
      if (last.state === "unknown" || last.reason === "gone" || last.at >= watchedUntil || watchedUntil >= now) continue;
      rows.push({ agent, state: "unknown", at: watchedUntil, reason: "dashboard_down", recordedBy: this.ctx.instanceId });
    }
    await appendStateTransitions(this.ctx.db, rows);
    for (const row of rows) this.last.set(row.agent, { state: "unknown", at: watchedUntil, reason: row.reason });
  }
}
