import "server-only";
import type { Logger } from "pino";
import type { Worker } from "../app";
import type { DependencyMonitor } from "../runtime/monitor";
import type { AgentContainer, ContainerRuntime } from "../runtime/types";
import { KeyedSerial } from "./keyed-serial";

const POLL_MS = 10_000;
/** The picture is trusted for reads only while the events stream is open and a full list is this recent. */
const FRESH_FOR_MS = 15_000;

/** Engine events that can change a container's state; others (exec, attach, health, ...) are ignored. */
const LIFECYCLE_EVENTS = new Set(["create", "start", "restart", "die", "kill", "oom", "stop", "pause", "unpause", "rename", "update"]);

export const isUp = (state: AgentContainer["state"]) => state === "running" || state === "restarting";

/** A container that was up and no longer is, as seen by the events stream or a reconcile poll. */
export type StopTransition = {
  agent: string;
  containerId: string;
  diedAt: Date;
  via: "event" | "poll";
  /** The container as seen when the stop was noticed: inspected (exit code, OOM) for events, as listed for polls. */
  container: AgentContainer;
};

type Listeners = { stop: Set<(transition: StopTransition) => void>; reseed: Set<() => void> };

/**
 * This process's live picture of the agent containers: seeded by a full list whenever the engine (re)appears,
 * kept current by the engine's events stream (each event re-inspects its one container), and reconciled by a
 * full list every 10 s. Page state and health read it instead of asking the engine on every request; the
 * crash watch listens for its stop transitions.
 */
export class FleetWatcher implements Worker {
  readonly name = "fleet-watcher";
  private containers = new Map<string, AgentContainer>();
  private listedAt = 0;
  private streamOpen = false;
  private stream: AbortController | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private active = false;
  private chain: Promise<void> = Promise.resolve();
  private readonly perAgent = new KeyedSerial();
  private readonly announced = new Map<string, string>();
  /** When each agent's entry was last set from a single-container look (event or action), to guard against older lists. */
  private readonly touchedAt = new Map<string, number>();
  private readonly listeners: Listeners = { stop: new Set(), reseed: new Set() };

  constructor(
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
    await this.chain;
    await this.perAgent.idle();
  }

  onStop(listener: (transition: StopTransition) => void): () => void {
    this.listeners.stop.add(listener);
    return () => this.listeners.stop.delete(listener);
  }

  /** Called after each full re-seed (start, engine back): nothing in between was observed. */
  onReseed(listener: () => void): () => void {
    this.listeners.reseed.add(listener);
    return () => this.listeners.reseed.delete(listener);
  }

  /** Containers as last observed, when that picture is current; null when the engine must be asked. */
  current(): AgentContainer[] | null {
    if (!this.streamOpen || Date.now() - this.listedAt > FRESH_FOR_MS || this.monitor.status !== "up") return null;
    return [...this.containers.values()];
  }

  /** Running agent containers as last observed (for the health probe; null before the first list). */
  activeCount(): number | null {
    if (this.listedAt === 0) return null;
    let count = 0;
    for (const container of this.containers.values()) if (container.state === "running") count++;
    return count;
  }

  /** A list fetched elsewhere refreshes the picture too (without transitions: the poll judges those). */
  absorb(containers: AgentContainer[]): void {
    if (this.streamOpen) return;
    this.containers = new Map(containers.map((container) => [container.name, container]));
    this.listedAt = Date.now();
  }

  /** A caller that just inspected one container (after an action) updates the picture at once. */
  update(name: string, container: AgentContainer | null): void {
    if (container) this.containers.set(name, container);
    else this.containers.delete(name);
    this.touchedAt.set(name, performance.now());
  }

  /** Seeds and polls run one at a time; events run in order per agent, different agents side by side. */
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
      const containers = await this.runtime.listAgents();
      this.containers = new Map(containers.map((container) => [container.name, container]));
      this.listedAt = Date.now();
      this.logger.info({ agents: containers.length }, "fleet seeded");
      for (const listener of this.listeners.reseed) listener();
    });
    this.openStream();
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
          this.streamOpen = true;
          for await (const event of events) {
            failures = 0;
            void this.perAgent.run(event.agent, () =>
              this.guard("event", () => this.onEvent(event.action, event.agent, event.containerId, new Date(event.time))),
            );
          }
        } catch (error) {
          if (controller.signal.aborted) break;
          this.logger.warn({ err: (error as Error).message }, "engine events stream broke; reconnecting");
        }
        this.streamOpen = false;
        if (controller.signal.aborted || !this.active) break;
        // Back on the stream: a full list catches whatever happened while it was away.
        failures++;
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 250 * 2 ** failures)));
        await this.serial("poll", () => this.poll());
      }
      this.streamOpen = false;
      if (this.stream === controller) this.stream = undefined;
    })();
  }

  private closeStream() {
    this.stream?.abort();
    this.stream = undefined;
    this.streamOpen = false;
  }

  private async onEvent(action: string, agent: string, containerId: string, at: Date) {
    this.logger.debug({ action, agent, containerId: containerId.slice(0, 12) }, "engine event");
    if (action === "destroy") {
      if (this.containers.get(agent)?.containerId === containerId) this.update(agent, null);
      return;
    }
    if (!LIFECYCLE_EVENTS.has(action)) return;
    if (action === "die") {
      // A death is a stop even if we never saw the container up (it may have lived for milliseconds).
      const settled = await this.settledAfterDeath(agent, containerId, at);
      this.update(agent, settled);
      if (settled && settled.containerId === containerId && !isUp(settled.state)) this.emitStop(agent, settled, "event");
      return;
    }
    this.observe(agent, await this.runtime.inspectAgent(agent), "event");
  }

  /** Records one container's current view; a same-container up→down change is a stop transition. */
  private observe(agent: string, next: AgentContainer | null, via: StopTransition["via"]) {
    const previous = this.containers.get(agent);
    this.update(agent, next);
    if (previous && next && previous.containerId === next.containerId && isUp(previous.state) && !isUp(next.state)) {
      this.emitStop(agent, next, via);
    }
  }

  /**
   * The engine announces "die" a moment before its own state says exited: give it up to 2 s to agree. A
   * container that started again after the death (someone restarted it) is returned at once.
   */
  private async settledAfterDeath(agent: string, containerId: string, diedAt: Date) {
    for (let attempt = 0; ; attempt++) {
      const container = await this.runtime.inspectAgent(agent);
      if (!container || container.containerId !== containerId || !isUp(container.state) || attempt >= 20) return container;
      if (container.startedAt !== null && Date.parse(container.startedAt) > diedAt.getTime()) return container;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private async poll() {
    if (this.monitor.status !== "up") return;
    const askedAt = performance.now();
    const containers = await this.runtime.listAgents();
    // An agent looked at on its own while the list was on its way (an event, an action) is newer than the list.
    const newer = (name: string) => (this.touchedAt.get(name) ?? -1) >= askedAt;
    const listed = new Set<string>();
    for (const container of containers) {
      listed.add(container.name);
      if (!newer(container.name)) this.observe(container.name, container, "poll");
    }
    for (const name of [...this.containers.keys()]) if (!listed.has(name) && !newer(name)) this.containers.delete(name);
    for (const [name, at] of this.touchedAt) if (at < askedAt) this.touchedAt.delete(name);
    this.listedAt = Date.now();
  }

  /** Announces each container exit once, however many times (event, poll) it is seen. */
  private emitStop(agent: string, container: AgentContainer, via: StopTransition["via"]) {
    const key = `${container.containerId}|${container.finishedAt ?? ""}`;
    if (this.announced.get(agent) === key) return;
    this.announced.set(agent, key);
    const transition: StopTransition = {
      agent,
      containerId: container.containerId,
      diedAt: container.finishedAt ? new Date(container.finishedAt) : new Date(),
      via,
      container,
    };
    for (const listener of this.listeners.stop) {
      try {
        listener(transition);
      } catch (error) {
        this.logger.warn({ err: (error as Error).message }, "stop listener failed");
      }
    }
  }
}
