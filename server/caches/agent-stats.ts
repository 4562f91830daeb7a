import "server-only";
import type { Logger } from "pino";
import type { AgentStatsView } from "../contracts/agent-stats";
import { type AgentStatsSample, type ContainerRuntime, isRuntimeError } from "../runtime/types";
import { buildAgentStatsView, statsWithout } from "../views/agent-stats";

/** A reading this fresh is answered again: several operators (or replicas of one page) cost one engine call. */
const FRESH_MS = 2_000;
/** How many stats calls this process makes to the engine at once, whatever the number of pages open. */
const ENGINE_CONCURRENCY = 6;
/** Agents nobody has looked at for this long are forgotten (the map stays the size of what is on screens). */
const FORGET_AFTER_MS = 5 * 60_000;

type Entry = {
  last: AgentStatsSample | null;
  view: AgentStatsView;
  at: number;
  lookedAt: number;
  reading?: Promise<AgentStatsView>;
};

/**
 * Resource readings of the agents operators have on screen: one-shot engine stats, each agent read at most once per
 * FRESH_MS, a bounded number at once; the previous reading of each is kept to turn cumulative CPU time into a rate.
 */
export class AgentStatsCache {
  private readonly entries = new Map<string, Entry>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly logger: Logger,
  ) {}

  read(name: string): Promise<AgentStatsView> {
    const now = Date.now();
    this.forgetStale(now);
    const entry = this.entries.get(name);
    if (entry) entry.lookedAt = now;
    if (entry?.reading) return entry.reading;
    if (entry && now - entry.at < FRESH_MS) return Promise.resolve(entry.view);
    const reading = this.sample(name, entry?.last ?? null).then((result) => {
      const current = this.entries.get(name);
      this.entries.set(name, { last: result.sample ?? current?.last ?? null, view: result.view, at: Date.now(), lookedAt: current?.lookedAt ?? now });
      return result.view;
    });
    if (entry) entry.reading = reading;
    else this.entries.set(name, { last: null, view: statsWithout(name, "unavailable", "not read yet"), at: 0, lookedAt: now, reading });
    return reading;
  }

  /** Forgets an agent that stopped or went away: its next reading starts a new CPU window. */
  forget(name: string): void {
    this.entries.delete(name);
  }

  get size(): number {
    return this.entries.size;
  }

  private async sample(name: string, previous: AgentStatsSample | null): Promise<{ view: AgentStatsView; sample?: AgentStatsSample }> {
    await this.acquire();
    try {
      const sample = await this.runtime.agentStats(name);
      if (!sample) return { view: statsWithout(name, "not_running") };
      return { view: buildAgentStatsView(name, sample, previous), sample };
    } catch (error) {
      const reason = isRuntimeError(error) ? error.message : "the engine's stats could not be read";
      if (!isRuntimeError(error)) this.logger.warn({ err: error, agent: name }, "reading an agent's stats failed");
      return { view: statsWithout(name, "unavailable", reason) };
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < ENGINE_CONCURRENCY) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }

  private forgetStale(now: number): void {
    for (const [name, entry] of this.entries) {
      if (!entry.reading && now - entry.lookedAt > FORGET_AFTER_MS) this.entries.delete(name);
    }
  }
}
