import "server-only";
import { type AgentContainer, isUnreachable, isUp, type RuntimeEvent } from "../runtime/types";

/** The picture is trusted for reads only while the events stream is open and a full list is this recent. */
const FRESH_FOR_MS = 15_000;
/** Stamps of agents that are gone are dropped once no look older than this can still be on its way. */
const GONE_STAMPS_KEPT_MS = 10_000;

/** An agent that was up and no longer is, as seen by the events stream or a reconcile poll. */
export type StopTransition = {
  agent: string;
  containerId: string;
  /** The run that ended (null when it was known only from its start event). */
  runId: string | null;
  diedAt: Date;
  via: "event" | "poll";
  /** The agent as it stopped: from its exit event (exit code, OOM) for events, as listed for polls. */
  container: AgentContainer;
};

/** What the fleet watcher must do after an event: look at the agent once its burst settles, or look to judge a death. */
export type EventFollowUp = "look" | "look-at-death" | null;

type LookWaiter = { since: number; expected: (container: AgentContainer) => boolean; settle: (container: AgentContainer | undefined) => void };

/** The agent as its exit event describes it: the run that was up has ended with the event's code. */
export function exitedByEvent(container: AgentContainer, exit: { exitCode: number; at: string; oomKilled: boolean }): AgentContainer {
  return { ...container, state: "exited", finishedAt: exit.at, exitCode: exit.exitCode, oomKilled: exit.oomKilled };
}

/** The agent as its start event describes it: a new run, up since the event (a look follows to refine it). */
export function startedByEvent(container: AgentContainer, at: string, runId: string | null): AgentContainer {
  return { ...container, state: "running", runId, startedAt: at, finishedAt: null, exitCode: null, oomKilled: false };
}

/**
 * This process's picture of the agents, kept by the fleet watcher from the engine's lists, looks and events; page
 * state and health read it instead of asking the engine on every request, and the crash watch hears its stop
 * transitions. A plain module: no I/O, no timers but the waits callers ask for.
 *
 * Every look at an agent (an inspect, a list, an event) is stamped with when it began (performance.now()), and a look
 * never replaces what a later one saw; so looks may run side by side and a slow inspect cannot hold back a death.
 */
export class FleetPicture {
  private containers = new Map<string, AgentContainer>();
  /** When the look behind each agent's entry began. */
  private readonly lookedAt = new Map<string, number>();
  private listedAt = 0;
  private live = false;
  /** Per agent, the run whose exit was announced; cleared when that container starts again. */
  private readonly announced = new Map<string, { containerId: string; at: number }>();
  private readonly stopListeners = new Set<(transition: StopTransition) => void>();
  private readonly reseedListeners = new Set<() => void>();
  /** Callers waiting for a look at an agent that began after some moment and shows what they expect. */
  private readonly waiters = new Map<string, Set<LookWaiter>>();

  constructor(private readonly onListenerError: (error: Error) => void = () => undefined) {}

  /** Whether the events stream is open (with the engine up): only then are the picture's reads trusted. */
  setLive(live: boolean): void {
    this.live = live;
  }

  /** Agents as last observed, when that picture is current; null when the engine must be asked. */
  current(): AgentContainer[] | null {
    if (!this.live || Date.now() - this.listedAt > FRESH_FOR_MS) return null;
    return [...this.containers.values()];
  }

  /** Running agents as last observed (for the health probe; null before the first list). */
  activeCount(): number | null {
    if (this.listedAt === 0) return null;
    let count = 0;
    for (const container of this.containers.values()) if (container.state === "running") count++;
    return count;
  }

  /**
   * Whether the picture has moved on from the agent's death at `at`, as later events told: the agent is gone,
   * recreated, or up again in a run that began after it.
   */
  movedOnFrom(agent: string, containerId: string, at: Date): boolean {
    const container = this.containers.get(agent);
    if (!container || container.containerId !== containerId) return true;
    return isUp(container.state) && container.startedAt !== null && Date.parse(container.startedAt) > at.getTime();
  }

  onStop(listener: (transition: StopTransition) => void): () => void {
    this.stopListeners.add(listener);
    return () => this.stopListeners.delete(listener);
  }

  /** Called after each full re-seed (start, engine back): nothing in between was observed. */
  onReseed(listener: () => void): () => void {
    this.reseedListeners.add(listener);
    return () => this.reseedListeners.delete(listener);
  }

  /** A list fetched elsewhere refreshes the picture too, while no stream keeps it (no transitions: polls judge those). */
  absorb(containers: AgentContainer[]): void {
    if (this.live) return;
    this.containers = new Map(containers.map((container) => [container.name, container]));
    this.listedAt = Date.now();
  }

  /** A look at one agent (after an action, after events) updates the picture unless a later look is in already. */
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

  /** A full list after the engine (re)appeared: agents looked at on their own while it was on its way keep that look. */
  seed(containers: AgentContainer[], askedAt: number): void {
    const seeded = new Map(containers.map((container) => [container.name, container]));
    for (const [name, at] of this.lookedAt) {
      if (at < askedAt) continue;
      const seen = this.containers.get(name);
      if (seen) seeded.set(name, seen);
      else seeded.delete(name);
    }
    for (const name of seeded.keys()) if ((this.lookedAt.get(name) ?? -1) < askedAt) this.lookedAt.set(name, askedAt);
    this.containers = seeded;
    this.listedAt = Date.now();
    for (const listener of this.reseedListeners) this.notify(() => listener());
  }

  /** A reconcile poll's full list: each agent a look begun at `askedAt`, and the ones it lacks are gone. */
  poll(containers: AgentContainer[], askedAt: number): void {
    const listed = new Set<string>();
    for (const container of containers) {
      listed.add(container.name);
      this.take(container.name, container, askedAt, "poll");
    }
    for (const name of [...this.containers.keys()]) if (!listed.has(name)) this.take(name, null, askedAt, "poll");
    for (const [name, at] of this.lookedAt) if (!this.containers.has(name) && at < askedAt - GONE_STAMPS_KEPT_MS) this.lookedAt.delete(name);
    this.listedAt = Date.now();
  }

  /**
   * Takes an engine event (in the engine's order) at once; says what look it calls for. A death is a stop even if
   * the agent was never seen up (it may have lived for milliseconds): the event holds the exit code.
   */
  apply(event: RuntimeEvent, at = performance.now()): EventFollowUp {
    const { agent, containerId } = event;
    const known = this.containers.get(agent);
    switch (event.type) {
      case "agent-removed":
        if (known?.containerId === containerId) this.take(agent, null, at, "event");
        return null;
      case "run-started":
        if (this.announced.get(agent)?.containerId === containerId) this.announced.delete(agent);
        if (known?.containerId === containerId) this.take(agent, startedByEvent(known, event.at, event.runId), at, "event");
        return "look";
      case "run-exited":
        if (known?.containerId === containerId && event.exitCode !== null) {
          const exited = exitedByEvent(known, { exitCode: event.exitCode, at: event.at, oomKilled: event.oomKilled });
          this.take(agent, exited, at, "event");
          this.emitStop(agent, exited, "event");
          return "look";
        }
        return "look-at-death";
      case "agent-changed":
        return "look";
    }
  }

  /** A look at an agent whose death (`event`) the picture could not judge alone: the look tells how it ended. */
  judgeDeath(event: Extract<RuntimeEvent, { type: "run-exited" }>, container: AgentContainer | null, at: number): void {
    if (!container || container.containerId !== event.containerId) return;
    // Started again after the death (someone restarted it): nothing stopped for long.
    if (container.startedAt !== null && Date.parse(container.startedAt) > Date.parse(event.at)) return;
    const exited =
      isUp(container.state) && event.exitCode !== null ? exitedByEvent(container, { exitCode: event.exitCode, at: event.at, oomKilled: event.oomKilled }) : container;
    this.take(event.agent, exited, at, "event");
    if (!isUp(exited.state)) this.emitStop(event.agent, exited, "event");
  }

  /** Takes one look into the picture unless a later look is in already; a same-container up→down change is a stop. */
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
    // A node that cannot be reached leaves its agents' runs unknown: not a stop, so never a crash.
    if (previous && next && previous.containerId === next.containerId && isUp(previous.state) && !isUp(next.state) && !isUnreachable(next.state)) {
      this.emitStop(agent, next, via);
    }
    for (const waiter of this.waiters.get(agent) ?? []) if (next && lookedAt >= waiter.since && waiter.expected(next)) waiter.settle(next);
  }

  /** Announces each exit once, however many times (event, poll, action) it is seen. */
  private emitStop(agent: string, container: AgentContainer, via: StopTransition["via"]) {
    if (this.announced.get(agent)?.containerId === container.containerId) return;
    const diedAt = container.finishedAt ? new Date(container.finishedAt) : new Date();
    this.announced.set(agent, { containerId: container.containerId, at: diedAt.getTime() });
    const transition: StopTransition = { agent, containerId: container.containerId, runId: container.runId, diedAt, via, container };
    for (const listener of this.stopListeners) this.notify(() => listener(transition));
  }

  private notify(call: () => void) {
    try {
      call();
    } catch (error) {
      this.onListenerError(error as Error);
    }
  }
}
