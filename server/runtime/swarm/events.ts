import "server-only";
import net from "node:net";
import type { Readable } from "node:stream";
import type { DockerEndpoint } from "../docker/endpoint";
import { EngineEvent } from "../docker/engine-schemas";
import { readEngineStream } from "../docker/log-stream";
import { AGENT_LABEL, type RuntimeEvent } from "../types";
import type { SwarmAccess } from "./access";
import { endedByItself } from "./agent-state";
import { type EngineClient, engineRequest } from "./engine-client";
import type { Task } from "./engine-schemas";

/** How often the manager's tasks are polled: exits on nodes whose engine the dashboard does not hear. */
const TASK_POLL_MS = 1_000;
/** How often node engines without an open events stream are tried again. */
const NODE_STREAMS_MS = 1_000;
/** Whether a node's engine still takes new connections, asked after each exit it tells of. */
const PROBE_MS = 1_000;
const REMEMBERED = 10_000;
const SERVICE_ID_LABEL = "com.docker.swarm.service.id";
const TASK_ID_LABEL = "com.docker.swarm.task.id";

/** Task ids remembered up to a bound (the oldest go first). */
class TaskSet {
  private readonly ids = new Set<string>();
  has = (id: string) => this.ids.has(id);
  add(id: string) {
    if (this.ids.size >= REMEMBERED) this.ids.delete(this.ids.values().next().value!);
    this.ids.add(id);
  }
}

/**
 * Whether the engine answers a new connection. An engine shutting down closes its listener first and stops its
 * containers after, telling of each exit on the streams it still has open: such an exit is the node going away, not a
 * crash. (A pooled connection would still answer: this one is new.)
 */
function takesConnections(address: DockerEndpoint): Promise<boolean> {
  if ("protocol" in address && address.protocol === "https") return Promise.resolve(true);
  return new Promise((resolve) => {
    const socket = "socketPath" in address ? net.connect(address.socketPath) : net.connect(address.port, address.host);
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(PROBE_MS, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n"));
    socket.once("data", (chunk: Buffer) => done(/^HTTP\/1\.[01] 200/.test(chunk.toString("latin1"))));
  });
}

/**
 * The agents' events on a swarm, normalised: services created, updated, removed (the manager's events stream); runs
 * started and ended (each node engine's container events, heard at once; and the manager's tasks, polled, for nodes
 * the dashboard does not hear). A run on a node that became unreachable is lost: its end is never told as an exit
 * (the node going away is not a crash), only as a change to look at. The iteration fails when the manager's stream
 * does; a node engine's stream that breaks is opened again once that engine answers.
 */
export async function* swarmEvents(access: SwarmAccess, signal: AbortSignal): AsyncIterable<RuntimeEvent> {
  const source = new SwarmEventSource(access, signal);
  try {
    yield* source.run();
  } finally {
    source.close();
  }
}

class SwarmEventSource {
  private readonly queue: RuntimeEvent[] = [];
  private failure: unknown = null;
  private wake: (() => void) | undefined;
  private readonly controller = new AbortController();
  private readonly timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => void) | undefined;
  /** Our services: id → agent name. */
  private readonly agents = new Map<string, string>();
  /** Tasks Swarm wanted running at the last look: id → task. */
  private live = new Map<string, Task>();
  private readonly started = new TaskSet();
  private readonly exited = new TaskSet();
  private readonly lost = new TaskSet();
  /** Per node, agents whose run was lost there: looked at again when it is back. */
  private readonly lostOn = new Map<string, Set<string>>();
  private readonly oomKilled = new Set<string>();
  private readonly nodeStreams = new Set<string>();
  private polling = false;

  constructor(
    private readonly access: SwarmAccess,
    private readonly signal: AbortSignal,
  ) {
    // An abort ends the iteration at once, also while it waits for news.
    signal.addEventListener(
      "abort",
      () => {
        this.controller.abort();
        this.notify();
      },
      { once: true },
    );
  }

  close() {
    this.controller.abort();
    for (const timer of this.timers) clearInterval(timer);
    this.unsubscribe?.();
  }

  private push(event: RuntimeEvent) {
    this.queue.push(event);
    this.notify();
  }

  private fail(error: unknown) {
    this.failure ??= error;
    this.notify();
  }

  private notify() {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async *run(): AsyncIterable<RuntimeEvent> {
    const managerStream = await engineRequest<Readable>(this.access.manager.streaming, "GET", "/events", {
      query: { filters: { type: ["service", "node"] } },
      stream: true,
      signal: this.controller.signal,
    });
    await this.refreshServices();
    for (const task of await this.access.liveTasks()) {
      if (!this.agents.has(task.ServiceID)) continue;
      this.live.set(task.ID, task);
      // Runs going on already are no news.
      if (task.Status.State === "running") this.started.add(task.ID);
    }
    void this.readManager(managerStream);
    this.unsubscribe = this.access.nodes.onReachChange((hostname) => void this.reachChanged(hostname));
    this.openNodeStreams();
    this.timers.push(setInterval(() => this.openNodeStreams(), NODE_STREAMS_MS));
    this.timers.push(setInterval(() => void this.poll(), TASK_POLL_MS));
    for (;;) {
      if (this.signal.aborted) return;
      if (this.queue.length) {
        yield this.queue.shift()!;
        continue;
      }
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private async refreshServices() {
    for (const service of await this.access.ourServices()) this.agents.set(service.ID, service.Spec.Labels[AGENT_LABEL]!);
  }

  private async readManager(stream: Readable) {
    try {
      for await (const event of readEngineStream(stream, this.controller.signal, eventParser(), () => [])) await this.onManagerEvent(event);
      if (!this.controller.signal.aborted) this.fail(new Error("the manager closed its events stream"));
    } catch (error) {
      if (!this.controller.signal.aborted) this.fail(error);
    }
  }

  private async onManagerEvent(event: EngineEvent) {
    const at = eventTime(event);
    if (event.Type === "node") {
      this.access.nodes.invalidate();
      // A node's state changed (down, back, drained): every agent whose run was there is looked at again.
      const looks = await this.access.nodes.looks().catch(() => null);
      const look = looks?.get(event.Actor.ID);
      if (look) await this.reachChanged(look.hostname);
      return;
    }
    if (event.Type !== "service") return;
    const containerId = event.Actor.ID;
    if (event.Action === "remove") {
      const agent = this.agents.get(containerId);
      if (agent) this.push({ type: "agent-removed", agent, containerId, at });
      this.agents.delete(containerId);
      return;
    }
    if (!this.agents.has(containerId)) await this.refreshServices().catch(() => undefined);
    const agent = this.agents.get(containerId);
    if (agent) this.push({ type: "agent-changed", agent, containerId, at });
  }

  /** Opens a container events stream on every node engine the dashboard can use and does not hear yet. */
  private openNodeStreams() {
    if (this.controller.signal.aborted) return;
    for (const [hostname, engine] of this.access.nodes.usableEngines()) {
      if (this.nodeStreams.has(hostname)) continue;
      this.nodeStreams.add(hostname);
      void this.readNode(hostname, engine).finally(() => this.nodeStreams.delete(hostname));
    }
  }

  private async readNode(hostname: string, engine: EngineClient) {
    try {
      const stream = await engineRequest<Readable>(engine.streaming, "GET", "/events", {
        query: { filters: { type: ["container"], label: [AGENT_LABEL, SERVICE_ID_LABEL] } },
        stream: true,
        signal: this.controller.signal,
      });
      for await (const event of readEngineStream(stream, this.controller.signal, eventParser(), () => [])) await this.onNodeEvent(hostname, engine, event);
      throw new Error("the engine closed its events stream");
    } catch (error) {
      if (!this.controller.signal.aborted) this.access.nodes.markDown(hostname, (error as Error).message);
    }
  }

  private async onNodeEvent(hostname: string, engine: EngineClient, event: EngineEvent) {
    const attributes = event.Actor.Attributes;
    const agent = attributes[AGENT_LABEL];
    const containerId = attributes[SERVICE_ID_LABEL];
    const runId = attributes[TASK_ID_LABEL];
    if (!agent || !containerId || !runId || this.agents.get(containerId) !== agent) return;
    const action = event.Action.split(":")[0];
    const at = eventTime(event);
    if (action === "oom") this.oomKilled.add(runId);
    else if (action === "start" && !this.started.has(runId)) {
      this.started.add(runId);
      this.push({ type: "run-started", agent, containerId, runId, at });
    } else if (action === "die" && !this.exited.has(runId) && !this.lost.has(runId)) {
      if (!(await takesConnections(engine.address))) {
        this.access.nodes.markDown(hostname, "it stopped taking connections");
        return;
      }
      const exit = attributes.exitCode;
      const oomKilled = this.oomKilled.delete(runId);
      const exitCode = exit !== undefined && /^\d+$/.test(exit) ? Number(exit) : null;
      this.access.memory.sawExit(runId, { exitCode, oomKilled, at });
      this.exited.add(runId);
      this.push({ type: "run-exited", agent, containerId, runId, at, exitCode, oomKilled });
    }
  }

  /** The dashboard's reach of a node changed: runs there are lost while it is away, and looked at again when it is back. */
  private async reachChanged(hostname: string) {
    const looks = await this.access.nodes.looks().catch(() => null);
    const look = looks && [...looks.values()].find((entry) => entry.hostname === hostname);
    if (!look) return;
    const touched = new Set<string>();
    if (!look.reachable) {
      for (const task of this.live.values()) {
        if (task.NodeID !== look.id) continue;
        this.lost.add(task.ID);
        const agent = this.agents.get(task.ServiceID);
        if (!agent) continue;
        touched.add(agent);
        this.lostOn.set(look.id, (this.lostOn.get(look.id) ?? new Set()).add(agent));
      }
    } else {
      for (const agent of this.lostOn.get(look.id) ?? []) touched.add(agent);
      for (const task of this.live.values()) if (task.NodeID === look.id && this.agents.has(task.ServiceID)) touched.add(this.agents.get(task.ServiceID)!);
      this.lostOn.delete(look.id);
    }
    const at = new Date().toISOString();
    for (const [containerId, agent] of this.agents) if (touched.has(agent)) this.push({ type: "agent-changed", agent, containerId, at });
  }

  /** The manager's tasks: runs that began, and runs that left (ended by themselves, or shut down, or lost). */
  private async poll() {
    if (this.polling || this.controller.signal.aborted) return;
    this.polling = true;
    try {
      const now = new Map<string, Task>();
      for (const task of await this.access.liveTasks()) if (this.agents.has(task.ServiceID)) now.set(task.ID, task);
      for (const task of now.values()) {
        if (task.Status.State !== "running" || this.started.has(task.ID)) continue;
        this.started.add(task.ID);
        this.push({ type: "run-started", agent: this.agents.get(task.ServiceID)!, containerId: task.ServiceID, runId: task.ID, at: task.Status.Timestamp });
      }
      const gone = [...this.live.values()].filter((task) => !now.has(task.ID));
      this.live = now;
      if (gone.length) await this.judgeGone(gone);
    } catch {
      // The manager's own stream tells when it is away; a missed poll is made up by the next.
    } finally {
      this.polling = false;
    }
  }

  private async judgeGone(gone: Task[]) {
    const looks = await this.access.nodes.looks();
    for (const before of gone) {
      const agent = this.agents.get(before.ServiceID);
      if (!agent) continue;
      const task = await this.access.task(before.ID);
      const node = task?.NodeID ? looks.get(task.NodeID) : undefined;
      const at = task?.Status.Timestamp ?? new Date().toISOString();
      if (task && node && !node.reachable) {
        this.lost.add(task.ID);
        this.lostOn.set(node.id, (this.lostOn.get(node.id) ?? new Set()).add(agent));
      }
      if (task && endedByItself(task) && !this.exited.has(task.ID) && !this.lost.has(task.ID)) {
        this.exited.add(task.ID);
        const exitCode = task.Status.ContainerStatus?.ExitCode ?? null;
        const oomKilled = this.oomKilled.delete(task.ID) || this.access.memory.oomKilled(task.ID);
        this.push({ type: "run-exited", agent, containerId: task.ServiceID, runId: task.ID, at, exitCode, oomKilled });
      } else this.push({ type: "agent-changed", agent, containerId: before.ServiceID, at });
    }
  }
}

/** The engine's events stream, one JSON event per line (a line may come in pieces). */
function eventParser(): (chunk: Buffer) => EngineEvent[] {
  let partial = "";
  return (chunk) => {
    const pieces = (partial + chunk.toString("utf8")).split("\n");
    partial = pieces.pop() ?? "";
    const events: EngineEvent[] = [];
    for (const piece of pieces) {
      if (!piece.trim()) continue;
      try {
        const parsed = EngineEvent.safeParse(JSON.parse(piece));
        if (parsed.success) events.push(parsed.data);
      } catch {
        // not JSON: skipped
      }
    }
    return events;
  };
}

const eventTime = (event: EngineEvent) => new Date(event.timeNano === undefined ? event.time * 1000 : Math.floor(event.timeNano / 1e6)).toISOString();
