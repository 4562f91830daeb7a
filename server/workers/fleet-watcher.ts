import "server-only";
import type { Logger } from "pino";
import type { FleetPicture } from "../fleet/fleet-picture";
import type { DependencyMonitor } from "../runtime/monitor";
import type { ContainerRuntime, RuntimeEvent } from "../runtime/types";
import type { Worker } from "./worker";

const POLL_MS = 10_000;
/** How long an agent's events must pause before the look they asked for is taken. */
const SETTLE_MS = 100;

type LookEntry = { again: boolean; done: Promise<void>; settle?: NodeJS.Timeout; wake?: () => void };

/**
 * Keeps the fleet picture current: seeds it with a full list whenever the engine (re)appears, feeds it the engine's
 * events as they come, looks at agents after their events, and reconciles it with a full list every 10 s.
 */
export class FleetWatcher implements Worker {
  readonly name = "fleet-watcher";
  private stream: AbortController | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private active = false;
  private chain: Promise<void> = Promise.resolve();
  /** Per agent, the look waiting for its burst to settle or under way, and whether events asked for another. */
  private readonly looking = new Map<string, LookEntry>();
  private readonly judging = new Set<Promise<void>>();

  constructor(
    private readonly picture: FleetPicture,
    private readonly runtime: ContainerRuntime,
    private readonly monitor: DependencyMonitor,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.active) return;
    this.active = true;
    this.unsubscribe = this.monitor.onChange((status) => {
      if (status === "up") void this.engineAppeared();
      else this.closeStream();
    });
    if (this.monitor.status === "up") void this.engineAppeared();
    this.pollTimer = setInterval(() => void this.serial("poll", () => this.poll()), POLL_MS);
    this.pollTimer.unref();
  }

  async stop(): Promise<void> {
    this.active = false;
    this.unsubscribe?.();
    this.closeStream();
    clearInterval(this.pollTimer);
    for (const entry of this.looking.values()) {
      clearTimeout(entry.settle);
      entry.wake?.();
    }
    await this.chain;
    await Promise.all([...this.looking.values()].map((entry) => entry.done));
    await Promise.all(this.judging);
  }

  /** Seeds and polls run one at a time. */
  private serial(label: string, work: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(() => this.guard(label, work));
    return this.chain;
  }

  private async guard(label: string, work: () => Promise<void>): Promise<void> {
    if (!this.active) return;
    try {
      await work();
    } catch (error) {
      this.logger.warn({ step: label, err: (error as Error).message }, "fleet watcher step failed");
    }
  }

  private async engineAppeared() {
    await this.serial("seed", async () => {
      const askedAt = performance.now();
      const containers = await this.runtime.listAgents();
      this.picture.seed(containers, askedAt);
      this.logger.info({ agents: containers.length }, "fleet seeded");
    });
    this.openStream();
  }

  private async poll() {
    if (this.monitor.status !== "up") return;
    const askedAt = performance.now();
    this.picture.poll(await this.runtime.listAgents(), askedAt);
  }

  private setLive(open: boolean) {
    this.picture.setLive(open && this.monitor.status === "up");
  }

  private openStream() {
    if (!this.active || this.stream) return;
    const controller = new AbortController();
    this.stream = controller;
    void (async () => {
      let failures = 0;
      while (this.active && !controller.signal.aborted && this.monitor.status === "up") {
        try {
          const events = this.runtime.events(controller.signal);
          this.setLive(true);
          for await (const event of events) {
            failures = 0;
            this.onEvent(event);
          }
          if (!controller.signal.aborted) this.logger.warn("engine events stream ended; reconnecting");
        } catch (error) {
          if (controller.signal.aborted) break;
          this.logger.warn({ err: (error as Error).message }, "engine events stream broke; reconnecting");
        }
        this.setLive(false);
        if (controller.signal.aborted || !this.active) break;
        // The stream never ends while the engine is well: the engine may be going away (a dockerd stop closes its API
        // first), so health is probed now rather than at the next interval, and reads down before the agents stop.
        this.monitor.reportFailure();
        // Back on the stream: a full list catches whatever happened while it was away.
        failures++;
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 250 * 2 ** failures)));
        await this.serial("poll", () => this.poll());
      }
      this.setLive(false);
      if (this.stream === controller) this.stream = undefined;
    })();
  }

  private closeStream() {
    this.stream?.abort();
    this.stream = undefined;
    this.setLive(false);
  }

  /** Events arrive in the engine's order and are taken at once; the looks they ask for run on their own. */
  private onEvent(event: RuntimeEvent) {
    if (!this.active) return;
    this.logger.debug({ type: event.type, agent: event.agent, containerId: event.containerId.slice(0, 12) }, "engine event");
    const at = performance.now();
    const followUp = this.picture.apply(event, at);
    if (followUp === "look") this.look(event.agent);
    else if (followUp === "look-at-death" && event.type === "run-exited") {
      // Never seen (or no exit code): a look tells, once the engine answers.
      const judging = this.guard("event", async () => this.picture.judgeDeath(event, await this.runtime.inspectAgent(event.agent), at));
      this.judging.add(judging);
      void judging.finally(() => this.judging.delete(judging));
      this.look(event.agent);
    }
  }

  /**
   * Looks at one agent once its burst of events has settled (a restart is kill, die, stop, start, restart within a
   * few hundred ms): one look per burst, not one per event, while the engine is busiest.
   */
  private look(agent: string) {
    const pending = this.looking.get(agent);
    if (pending) {
      pending.again = true;
      pending.settle?.refresh();
      return;
    }
    const entry: LookEntry = { again: true, done: Promise.resolve() };
    this.looking.set(agent, entry);
    entry.done = (async () => {
      try {
        while (entry.again && this.active) {
          await new Promise<void>((resolve) => {
            entry.wake = resolve;
            entry.settle = setTimeout(resolve, SETTLE_MS);
          });
          entry.settle = undefined;
          if (!this.active) break;
          entry.again = false; // events from here on need a look after this one
          const lookedAt = performance.now();
          this.picture.update(agent, await this.runtime.inspectAgent(agent), lookedAt);
        }
      } catch (error) {
        this.logger.warn({ agent, err: (error as Error).message }, "could not inspect an agent after an engine event");
      } finally {
        this.looking.delete(agent);
      }
    })();
  }
}
