import "server-only";
import type { Logger } from "pino";
import type { Worker } from "./worker";
import type { FleetPicture, StopTransition } from "../fleet/fleet-picture";
import type { DependencyMonitor } from "../runtime/monitor";
import { exitedByEvent, isUp, startedByEvent } from "../runtime/status-line";
import type { AgentContainer, ContainerRuntime, RuntimeEvent } from "../runtime/types";

const POLL_MS = 10_000;
/** The picture is trusted for reads only while the events stream is open and a full list is this recent. */
const FRESH_FOR_MS = 15_000;

/**
 * Engine events after which a container's state may differ: each brings a fresh inspect. ("kill" only sends a
 * signal: a death that follows has its own "die"; "destroy" and "die" are taken from the event itself.)
 */
const LOOK_AFTER = new Set(["create", "start", "restart", "die", "oom", "stop", "pause", "unpause", "rename", "update"]);

/** How long an agent's events must pause before the inspect they asked for is made. */
const SETTLE_MS = 100;

type LookWaiter = { since: number; expected: (container: AgentContainer) => boolean; settle: (container: AgentContainer | undefined) => void };

type InspectEntry = { again: boolean; done: Promise<void>; settle?: NodeJS.Timeout; wake?: () => void };

type Listeners = { stop: Set<(transition: StopTransition) => void>; reseed: Set<() => void> };

/**
 * This process's live picture of the agent containers: seeded by a full list whenever the engine (re)appears,
 * kept current by the engine's events stream, and reconciled by a full list every 10 s. Page state and health
 * read it instead of asking the engine on every request; the crash watch listens for its stop transitions.
 *
 * Every look at a container (an inspect, a list, an event) is stamped with when it began, and a look never
 * replaces what a later one saw; so looks run side by side and a slow inspect cannot hold back a death.
 */
export class FleetWatcher implements Worker, FleetPicture {
  readonly name = "fleet-watcher";
  private containers = new Map<string, AgentContainer>();
  /** When the look behind each agent's entry began (performance.now()). */
  private readonly lookedAt = new Map<string, number>();
  private listedAt = 0;
  private streamOpen = false;
  private stream: AbortController | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private active = false;
  private chain: Promise<void> = Promise.resolve();
  /** Per agent, the inspect waiting for its burst to settle or under way, and whether events asked for another. */
  private readonly inspecting = new Map<string, InspectEntry>();
  /** Containers whose current run had an out-of-memory kill ("oom" comes before its "die"). */
  private readonly oomKilled = new Set<string>();
  /** Per agent, the container whose exit was announced; cleared when that container starts again. */
  private readonly announced = new Map<string, { containerId: string; at: number }>();
  private readonly listeners: Listeners = { stop: new Set(), reseed: new Set() };
  /** Callers waiting for a look at an agent that began after some moment and shows what they expect. */
  private readonly waiters = new Map<string, Set<LookWaiter>>();

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
    for (const entry of this.inspecting.values()) {
      clearTimeout(entry.settle);
      entry.wake?.();
    }
    await this.chain;
    await Promise.all([...this.inspecting.values()].map((entry) => entry.done));
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

  /**
   * Whether the picture has moved on from the container's death at `at`, as later events told: the container is gone,
   * replaced by another, or up again in a run that began after it.
   */
  movedOnFrom(agent: string, containerId: string, at: Date): boolean {
    const container = this.containers.get(agent);
    if (!container || container.containerId !== containerId) return true;
    return isUp(container.state) && container.startedAt !== null && Date.parse(container.startedAt) > at.getTime();
  }

  /** A list fetched elsewhere refreshes the picture too (without transitions: the poll judges those). */
  absorb(containers: AgentContainer[]): void {
    if (this.streamOpen) return;
    this.containers = new Map(containers.map((container) => [container.name, container]));
    this.listedAt = Date.now();
  }

  /**
   * A caller that looked at one container (after an action) updates the picture at once; `lookedAt` is when
   * its look began (performance.now()), so an older look still on its way cannot undo it.
   */
  update(name: string, container: AgentContainer | null, lookedAt = performance.now()): void {
    this.take(name, container, lookedAt, "event");
  }

  /**
   * The agent as a look that began at or after `since` (performance.now()) saw it, once that look shows what
   * `expected` accepts: the events stream usually tells before an inspect could. Undefined after `waitMs`.
   */
  lookSince(agent: string, since: number, expected: (container: AgentContainer) => boolean, waitMs: number): Promise<AgentContainer | undefined> {
    const current = this.containers.get(agent);
    if (current && (this.lookedAt.get(agent) ?? -1) >= since && expected(current)) return Promise.resolve(current);
    return new Promise((resolve) => {
      const waiters = this.waiters.get(agent) ?? this.waiters.set(agent, new Set()).get(agent)!;
      const waiter: LookWaiter = {
        since,
        expected,
        settle: (container) => {
          clearTimeout(timer);
          waiters.delete(waiter);
          if (waiters.size === 0) this.waiters.delete(agent);
          resolve(container);
        },
      };
      const timer = setTimeout(() => waiter.settle(undefined), waitMs);
      waiters.add(waiter);
    });
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
      const seeded = new Map(containers.map((container) => [container.name, container]));
      // Agents looked at on their own while the list was on its way keep that newer look.
      for (const [name, at] of this.lookedAt) {
        if (at < askedAt) continue;
        const seen = this.containers.get(name);
        if (seen) seeded.set(name, seen);
        else seeded.delete(name);
      }
      for (const name of seeded.keys()) if ((this.lookedAt.get(name) ?? -1) < askedAt) this.lookedAt.set(name, askedAt);
      this.containers = seeded;
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
            this.onEvent(event);
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

  /** Events arrive in the engine's order and are taken at once; the inspects they ask for run on their own. */
  private onEvent(event: RuntimeEvent) {
    if (!this.active) return;
    const { action, agent, containerId } = event;
    this.logger.debug({ action, agent, containerId: containerId.slice(0, 12) }, "engine event");
    const at = performance.now();
    if (action === "destroy") {
      if (this.containers.get(agent)?.containerId === containerId) this.take(agent, null, at, "event");
      return;
    }
    if (action === "oom") this.oomKilled.add(containerId);
    if (action === "start") {
      this.oomKilled.delete(containerId);
      if (this.announced.get(agent)?.containerId === containerId) this.announced.delete(agent);
      const known = this.containers.get(agent);
      if (known?.containerId === containerId) this.take(agent, startedByEvent(known, event.time), at, "event");
    }
    if (action === "die") this.died(event, at);
    if (LOOK_AFTER.has(action)) this.inspect(agent);
  }

  /**
   * A death is a stop even if we never saw the container up (it may have lived for milliseconds). The event
   * holds the exit code; the engine's inspect would only answer once the container is cleaned up.
   */
  private died({ agent, containerId, exitCode, time }: RuntimeEvent, at: number) {
    const known = this.containers.get(agent);
    const oomKilled = this.oomKilled.has(containerId);
    this.oomKilled.delete(containerId);
    if (known?.containerId === containerId && exitCode !== null) {
      const exited = exitedByEvent(known, { exitCode, at: time, oomKilled });
      this.take(agent, exited, at, "event");
      this.emitStop(agent, exited, "event");
      return;
    }
    // Never seen (or no exit code): an inspect tells, once the engine answers.
    void this.guard("event", async () => {
      const container = await this.runtime.inspectAgent(agent);
      if (!container || container.containerId !== containerId) return;
      // Started again after the death (someone restarted it): nothing stopped for long.
      if (container.startedAt !== null && Date.parse(container.startedAt) > Date.parse(time)) return;
      const exited = isUp(container.state) && exitCode !== null ? exitedByEvent(container, { exitCode, at: time, oomKilled }) : container;
      this.take(agent, exited, at, "event");
      if (!isUp(exited.state)) this.emitStop(agent, exited, "event");
    });
  }

  /**
   * Inspects one agent once its burst of events has settled (a restart is kill, die, stop, start, restart within a
   * few hundred ms): one look per burst, not one per event, while the engine is busiest.
   */
  private inspect(agent: string) {
    const pending = this.inspecting.get(agent);
    if (pending) {
      pending.again = true;
      pending.settle?.refresh();
      return;
    }
    const entry: InspectEntry = { again: true, done: Promise.resolve() };
    this.inspecting.set(agent, entry);
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
          this.take(agent, await this.runtime.inspectAgent(agent), lookedAt, "event");
        }
      } catch (error) {
        this.logger.warn({ agent, err: (error as Error).message }, "could not inspect an agent after an engine event");
      } finally {
        this.inspecting.delete(agent);
      }
    })();
  }

  /**
   * Takes one look at a container into the picture unless a later look is already in; a same-container
   * up→down change is a stop transition.
   */
  private take(agent: string, next: AgentContainer | null, lookedAt: number, via: StopTransition["via"]): void {
    if ((this.lookedAt.get(agent) ?? -1) > lookedAt) return;
    const death = this.announced.get(agent);
    if (next && death?.containerId === next.containerId && isUp(next.state) && next.startedAt !== null) {
      // Still up in a run that began before its announced death: the engine's list can lag its events.
      if (Date.parse(next.startedAt) <= death.at) return;
      this.announced.delete(agent); // a later run of that container: its exit is news again
    }
    const previous = this.containers.get(agent);
    this.lookedAt.set(agent, lookedAt);
    if (next) this.containers.set(agent, next);
    else this.containers.delete(agent);
    if (previous && next && previous.containerId === next.containerId && isUp(previous.state) && !isUp(next.state)) {
      this.emitStop(agent, next, via);
    }
    for (const waiter of this.waiters.get(agent) ?? []) if (next && lookedAt >= waiter.since && waiter.expected(next)) waiter.settle(next);
  }

  private async poll() {
    if (this.monitor.status !== "up") return;
    const askedAt = performance.now();
    const containers = await this.runtime.listAgents();
    const listed = new Set<string>();
    for (const container of containers) {
      listed.add(container.name);
      this.take(container.name, container, askedAt, "poll");
    }
    for (const name of [...this.containers.keys()]) if (!listed.has(name)) this.take(name, null, askedAt, "poll");
    // Stamps of agents that are gone are dropped once no look older than this list can still be on its way.
    for (const [name, at] of this.lookedAt) if (!this.containers.has(name) && at < askedAt - POLL_MS) this.lookedAt.delete(name);
    this.listedAt = Date.now();
  }

  /** Announces each container exit once, however many times (event, poll, action) it is seen. */
  private emitStop(agent: string, container: AgentContainer, via: StopTransition["via"]) {
    if (this.announced.get(agent)?.containerId === container.containerId) return;
    const diedAt = container.finishedAt ? new Date(container.finishedAt) : new Date();
    this.announced.set(agent, { containerId: container.containerId, at: diedAt.getTime() });
    const transition: StopTransition = { agent, containerId: container.containerId, diedAt, via, container };
    for (const listener of this.listeners.stop) {
      try {
        listener(transition);
      } catch (error) {
        this.logger.warn({ err: (error as Error).message }, "stop listener failed");
      }
    }
  }
}
