import "server-only";
import {
  type AgentContainer,
  type AgentContainerConfig,
  type AgentStatsSample,
  type ContainerRuntime,
  type CreateAgentSpec,
  type FollowBatch,
  type ForeignAgent,
  type FollowOptions,
  isUp,
  type LifecycleOutcome,
  type LogLine,
  type LogOptions,
  type LogRead,
  INSTALLATION_LABEL,
  type RuntimeCapabilities,
  type RuntimeCommon,
  RuntimeError,
  type RuntimeEvent,
  type RuntimeNode,
  type StateVolume,
} from "../types";
import { SwarmAccess } from "./access";
import { currentTask, isLive, isTaskOver, type NodeLook, pinnedNodeId, replicasOf } from "./agent-state";
import { engineClient, engineRequest } from "./engine-client";
import type { Service, Task } from "./engine-schemas";
import { toStatsSample } from "../docker/engine-schemas";
import { swarmEvents } from "./events";
import { ensureIsolatedNetwork, removeIsolatedNetwork } from "./isolated-network";
import { SwarmLogs } from "./logs";
import { Ownership } from "./ownership";
import { NodeDirectory } from "./nodes";
import { configOf, forceUpdate, serviceSpecFor, withReplicas } from "./service-spec";
import type { SwarmSettings } from "./settings";
import { SwarmVolumes } from "./volumes";

export type SwarmRuntimeOptions = SwarmSettings & RuntimeCommon;

/** How long a start, restart or rebuild waits for the new task to run. */
const RUN_DEADLINE_MS = 120_000;
/** How long a removal waits for Swarm to remove the agent's containers (so its volume is free). */
const REMOVAL_DEADLINE_MS = 30_000;
const WAIT_STEP_MS = 150;
const SERVICE_LABEL = "com.docker.swarm.service.id";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Docker Swarm: every agent is a replicated service of 0 or 1 replica, pinned to the node holding its state volume,
 * with restart condition none (the dashboard owns restarts). A never-started agent has 0 replicas; starting scales it
 * to 1, and later starts, restarts and rebuilds are forced updates (a new task: a new run). Stop and kill go to the
 * task's container through its node's engine, so the run that ended keeps its exit code and its log (scaling to 0
 * would make Swarm delete the task and its container); without that engine, a stop scales to 0. Node engines
 * (HIVE_SWARM_NODE_ENDPOINTS) also hold the state volumes and tell of exits at once.
 */
export class SwarmRuntime implements ContainerRuntime {
  readonly kind = "swarm";
  readonly endpoint: string;
  readonly capabilities: RuntimeCapabilities = { restartsAgentsItself: false, placement: true };
  private readonly access: SwarmAccess;
  private readonly ownership: Ownership;
  private readonly nodes: NodeDirectory;
  private readonly volumes: SwarmVolumes;
  private readonly logReader: SwarmLogs;

  constructor(options: SwarmRuntimeOptions) {
    this.endpoint = options.dockerHost;
    const manager = engineClient(options.dockerHost, options.probeTimeoutMs);
    this.nodes = new NodeDirectory(manager, options.nodeEndpoints, options.probeTimeoutMs);
    const ownership = new Ownership(options.installation, options.legacyAgents);
    this.ownership = ownership;
    this.access = new SwarmAccess(ownership, manager, this.nodes, options.probeTimeoutMs);
    this.volumes = new SwarmVolumes(this.nodes, ownership);
    this.logReader = new SwarmLogs(this.access);
  }

  ping(): Promise<void> {
    return this.nodes.pingManager();
  }

  listNodes(): Promise<RuntimeNode[]> {
    return this.nodes.describe();
  }

  /** Adoption (taking another installation's agent over) is the Docker driver's alone for now. */
  private noAdoption(): never {
    throw new RuntimeError("invalid", "the Swarm driver cannot adopt another installation's agent yet: only the Docker driver adopts");
  }

  async listForeignAgents(): Promise<ForeignAgent[]> {
    const services = await this.access.foreignServices();
    return (await this.access.agents(services)).map((agent, index) => ({
      name: agent.name,
      containerName: agent.containerName,
      installation: services[index]!.Spec.Labels[INSTALLATION_LABEL] ?? null,
      state: agent.state,
      image: agent.image,
      createdAt: agent.createdAt,
    }));
  }

  async adoptAgent(): Promise<{ containerId: string }> {
    this.noAdoption();
  }

  /** A Swarm rebuild is a service update: no old container is parked beside the new one, so none is left behind. */
  async listInterruptedRecreates(): Promise<string[]> {
    return [];
  }

  async settleInterruptedRecreate(name: string): Promise<"kept-new" | "restored-old"> {
    throw new RuntimeError("not_found", `no interrupted rebuild of ${name}: a Swarm rebuild is one service update`, 404);
  }

  async listAgents(): Promise<AgentContainer[]> {
    return this.access.agents(await this.access.ourServices());
  }

  async inspectAgent(name: string): Promise<AgentContainer | null> {
    const service = await this.access.service(name);
    return service ? this.access.agent(service) : null;
  }

  async readAgentConfig(name: string): Promise<AgentContainerConfig | null> {
    const service = await this.access.service(name);
    return service ? configOf(service.Spec) : null;
  }

  async createAgent(spec: CreateAgentSpec): Promise<{ containerId: string }> {
    if (await this.access.service(spec.name)) throw new RuntimeError("conflict", `a service for agent ${spec.name} exists already`, 409);
    const node = await this.placeNewAgent(spec.name, spec.node);
    const body = serviceSpecFor(spec, node.id, this.ownership, { replicas: 0, forceUpdate: 0 });
    await this.volumes.ensureOn(node.hostname, spec.name, spec.adoptedVolume);
    if (spec.network === "none") await ensureIsolatedNetwork(this.access.manager, spec.name);
    try {
      const created = await engineRequest<{ ID: string }>(this.access.manager.slow, "POST", "/services/create", { body });
      return { containerId: created.ID };
    } catch (error) {
      if (spec.network === "none") await removeIsolatedNetwork(this.access.manager, spec.name).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Where a new agent goes: where its state volume is (a revived tombstone), else the operator's pick, else where
   * Swarm's spread strategy would put a task (the ready, active node running the fewest tasks). Its state volume is
   * made there before anything runs, so the choice is made now, among nodes whose engine the dashboard reaches.
   */
  private async placeNewAgent(name: string, picked: string | undefined): Promise<NodeLook> {
    const [looks, nodes, volumes] = await Promise.all([this.nodes.looks(), this.nodes.list(), this.volumes.list()]);
    const byHostname = new Map([...looks.values()].map((look) => [look.hostname, look]));
    const usable = (look: NodeLook) => look.reachable && this.nodes.usableEngine(look.hostname) !== null;
    const held = volumes.filter((volume) => volume.name === name);
    if (held.length > 1) throw new RuntimeError("conflict", `agent ${name} has state volumes on several nodes (${held.map((volume) => volume.node).join(", ")})`, 409);
    const holder = held[0]?.node;
    if (holder && picked && holder !== picked) {
      throw new RuntimeError("conflict", `the state of ${name} is on node ${holder}: it can only come back there (move it afterwards)`, 409);
    }
    const wanted = holder ?? picked;
    if (wanted) {
      const look = byHostname.get(wanted);
      if (!look) throw new RuntimeError("invalid", `the swarm has no node named ${wanted}`);
      if (!usable(look)) throw new RuntimeError("unavailable", `node ${wanted} cannot take ${name} now: it is not ready or its engine is not reachable`);
      const availability = nodes.find((node) => node.ID === look.id)?.Spec.Availability;
      if (!holder && availability !== "active") throw new RuntimeError("conflict", `node ${wanted} takes no new work (availability ${availability})`, 409);
      return look;
    }
    const candidates = nodes.filter((node) => node.Spec.Availability === "active" && usable(looks.get(node.ID)!));
    if (candidates.length === 0) throw new RuntimeError("unavailable", "no node can take a new agent: none is ready and active with an engine the dashboard reaches");
    const running = new Map<string, number>();
    for (const task of await this.access.liveTasks()) if (task.NodeID) running.set(task.NodeID, (running.get(task.NodeID) ?? 0) + 1);
    candidates.sort((a, b) => (running.get(a.ID) ?? 0) - (running.get(b.ID) ?? 0) || a.Description.Hostname.localeCompare(b.Description.Hostname));
    return looks.get(candidates[0]!.ID)!;
  }

  async recreateAgent(spec: CreateAgentSpec, _stopTimeoutSeconds: number): Promise<{ containerId: string }> {
    const before = await this.access.requireService(spec.name);
    const pin = pinnedNodeId(before);
    if (!pin) throw new RuntimeError("conflict", `the service of ${spec.name} is not pinned to a node`, 409);
    await this.requireReachable(before, "rebuild");
    const known = new Set((await this.access.tasksOf([before.ID])).map((task) => task.ID));
    const next = serviceSpecFor(spec, pin, this.ownership, { replicas: 1, forceUpdate: (before.Spec.TaskTemplate.ForceUpdate ?? 0) + 1 });
    if (spec.network === "none") await ensureIsolatedNetwork(this.access.manager, spec.name);
    await this.access.update(spec.name, (current) => Object.assign(current, next));
    try {
      await this.waitForNewRun(before.ID, known);
    } catch (error) {
      // The new spec does not run: the previous one is put back (and runs again if it ran).
      await this.access.update(spec.name, () => undefined, { rollback: "previous" }).catch(() => undefined);
      throw error;
    }
    return { containerId: before.ID };
  }

  async startAgent(name: string): Promise<LifecycleOutcome> {
    const service = await this.access.requireService(name);
    const tasks = await this.access.tasksOf([service.ID]);
    const task = currentTask(tasks);
    if (replicasOf(service) > 0 && task && isLive(task)) return "unchanged";
    return this.newRun(name, service, tasks);
  }

  restartAgent(name: string): Promise<LifecycleOutcome> {
    return this.access.requireService(name).then(async (service) => this.newRun(name, service, await this.access.tasksOf([service.ID])));
  }

  /** One replica, and a new task for it: answers once that task runs. */
  private async newRun(name: string, service: Service, tasks: Task[]): Promise<LifecycleOutcome> {
    await this.requireReachable(service, "start");
    const known = new Set(tasks.map((task) => task.ID));
    await this.access.update(name, (spec) => {
      withReplicas(spec, 1);
      // Going from 0 replicas to 1 makes a task by itself; with one replica already, a forced update makes the new one.
      if (replicasOf(service) > 0) forceUpdate(spec);
    });
    await this.waitForNewRun(service.ID, known);
    return "changed";
  }

  /** The node the agent is pinned to must be up: a task for a node that is down would wait there, and start later by surprise. */
  private async requireReachable(service: Service, action: string) {
    const pin = pinnedNodeId(service);
    const look = pin ? (await this.nodes.looks()).get(pin) : undefined;
    if (pin && !look?.reachable) {
      throw new RuntimeError("unavailable", `cannot ${action} ${service.Spec.Name}: its node ${look?.hostname ?? pin} is unreachable (its state volume is there)`);
    }
  }

  private async waitForNewRun(serviceId: string, known: Set<string>): Promise<Task> {
    const deadline = Date.now() + RUN_DEADLINE_MS;
    for (;;) {
      const fresh = (await this.access.tasksOf([serviceId])).filter((task) => !known.has(task.ID));
      const running = fresh.find((task) => task.Status.State === "running");
      if (running) return running;
      const failed = fresh.find((task) => isTaskOver(task));
      if (failed && !fresh.some(isLive)) {
        throw new RuntimeError("engine", `the agent's new task did not run: ${failed.Status.Err ?? failed.Status.State}`);
      }
      if (Date.now() > deadline) throw new RuntimeError("engine", `the agent's new task did not run within ${RUN_DEADLINE_MS / 1000} s`);
      await sleep(WAIT_STEP_MS);
    }
  }

  private async waitForEnd(serviceId: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!(await this.access.tasksOf([serviceId])).some(isLive)) return;
      await sleep(WAIT_STEP_MS);
    }
    throw new RuntimeError("engine", `the agent's task did not end within ${Math.round(timeoutMs / 1000)} s`);
  }

  /** The agent's live, running task and its node's engine (null when none is reachable). */
  private async runningTask(name: string) {
    const service = await this.access.requireService(name);
    const task = currentTask(await this.access.tasksOf([service.ID]));
    const containerId = task?.Status.ContainerStatus?.ContainerID;
    const hostname = task?.NodeID ? (await this.nodes.looks()).get(task.NodeID)?.hostname : undefined;
    return { service, task, containerId, hostname, engine: hostname ? this.nodes.usableEngine(hostname) : null };
  }

  async stopAgent(name: string, timeoutSeconds: number): Promise<LifecycleOutcome> {
    const { service, task, containerId, hostname, engine } = await this.runningTask(name);
    if (!task || !isLive(task) || replicasOf(service) === 0) return "unchanged";
    if (engine && containerId && task.Status.State === "running") {
      try {
        await engineRequest(engine.slow, "POST", `/containers/${containerId}/stop`, { query: { t: timeoutSeconds } });
        await this.waitForEnd(service.ID, timeoutSeconds * 1000 + 30_000);
        return "changed";
      } catch (error) {
        const failure = error as RuntimeError;
        if (failure.statusCode === 304 || failure.kind === "not_found") {
          await this.waitForEnd(service.ID, 30_000);
          return "changed";
        }
        if (failure.kind !== "unavailable") throw failure;
        this.nodes.markDown(hostname!, failure.message);
      }
    }
    // Without the node's engine, Swarm stops the task itself, once it has no replica left (the run goes with it).
    await this.access.update(name, (spec) => withReplicas(spec, 0));
    await this.waitForEnd(service.ID, 60_000);
    return "changed";
  }

  /** Read on the agent's node, from its own engine: without one, the reading is `unavailable`. */
  async agentStats(name: string): Promise<AgentStatsSample | null> {
    if (!(await this.access.service(name))) return null;
    const { task, containerId, hostname } = await this.runningTask(name);
    if (!task || !isLive(task) || task.Status.State !== "running" || !containerId || !hostname) return null;
    const engine = this.nodes.requireEngine(hostname, `reading the resource use of ${name}`);
    try {
      const raw = await engineRequest<unknown>(engine.quick, "GET", `/containers/${containerId}/stats`, { query: { stream: false, "one-shot": true } });
      return toStatsSample(raw, null);
    } catch (error) {
      const failure = error as RuntimeError;
      if (failure.kind === "not_found") return null;
      if (failure.kind === "unavailable") this.nodes.markDown(hostname, failure.message);
      throw failure;
    }
  }

  async killAgent(name: string, signal = "SIGKILL"): Promise<void> {
    const { task, containerId, hostname } = await this.runningTask(name);
    if (!task || !isLive(task) || task.Status.State !== "running" || !containerId || !hostname) return;
    const engine = this.nodes.requireEngine(hostname, `sending ${signal} to ${name}`);
    try {
      await engineRequest(engine.quick, "POST", `/containers/${containerId}/kill`, { query: { signal } });
    } catch (error) {
      const failure = error as RuntimeError;
      // Not running any more (or gone): the same no-op as stopping a stopped agent.
      if (failure.kind === "not_found" || (failure.kind === "conflict" && /is not running/i.test(failure.message))) return;
      if (failure.kind === "unavailable") this.nodes.markDown(hostname, failure.message);
      throw failure;
    }
  }

  async removeAgent(name: string): Promise<void> {
    const service = await this.access.service(name);
    if (!service) return;
    try {
      await engineRequest(this.access.manager.slow, "DELETE", `/services/${service.ID}`);
    } catch (error) {
      if ((error as RuntimeError).kind !== "not_found") throw error;
    }
    // Swarm removes the agent's containers on their nodes after the service: its volume is free once they are gone.
    const deadline = Date.now() + REMOVAL_DEADLINE_MS;
    for (const [, engine] of this.nodes.usableEngines()) {
      const filters = { label: [`${SERVICE_LABEL}=${service.ID}`] };
      while (Date.now() < deadline) {
        const left = await engineRequest<unknown[]>(engine.quick, "GET", "/containers/json", { query: { all: true, filters } }).catch(() => []);
        if (left.length === 0) break;
        await sleep(WAIT_STEP_MS);
      }
    }
    await removeIsolatedNetwork(this.access.manager, name);
  }

  async moveAgent(name: string, node: string, stopTimeoutSeconds: number): Promise<{ bytes: number }> {
    const service = await this.access.requireService(name);
    const agent = await this.access.agent(service);
    if (agent.node === node) throw new RuntimeError("invalid", `${name} is on node ${node} already`);
    const looks = [...(await this.nodes.looks()).values()];
    const target = looks.find((look) => look.hostname === node);
    if (!target) throw new RuntimeError("invalid", `the swarm has no node named ${node}`);
    const availability = (await this.nodes.list()).find((entry) => entry.ID === target.id)?.Spec.Availability;
    if (!target.reachable || !this.nodes.usableEngine(node)) throw new RuntimeError("unavailable", `node ${node} is not ready, or its engine is not reachable`);
    if (availability !== "active") throw new RuntimeError("conflict", `node ${node} takes no new work (availability ${availability})`, 409);
    const wasRunning = isUp(agent.state);
    if (agent.state === "unreachable") throw new RuntimeError("unavailable", `${name}'s node ${agent.node} is unreachable: its state cannot be read`);
    if (wasRunning) await this.stopAgent(name, stopTimeoutSeconds);
    let bytes: number;
    try {
      bytes = await this.volumes.copy(name, service.Spec.TaskTemplate.ContainerSpec.Image, agent.node, node);
    } catch (error) {
      if (wasRunning) await this.startAgent(name).catch(() => undefined);
      throw error;
    }
    // Pinned to the new node with no replica: Swarm removes the old run and its container, which frees the old volume.
    await this.access.update(name, (spec) => {
      withReplicas(spec, 0);
      spec.TaskTemplate.Placement = { ...spec.TaskTemplate.Placement, Constraints: [`node.id==${target.id}`] };
    });
    await this.volumes.removeFrom(agent.node, name);
    if (wasRunning) await this.startAgent(name);
    return { bytes };
  }

  async ensureStateVolume(name: string): Promise<StateVolume> {
    const existing = (await this.volumes.list()).find((volume) => volume.name === name);
    if (existing) return existing;
    return this.volumes.ensureOn((await this.placeNewAgent(name, undefined)).hostname, name);
  }

  listStateVolumes(): Promise<StateVolume[]> {
    return this.volumes.list();
  }

  removeStateVolume(name: string): Promise<void> {
    return this.volumes.remove(name);
  }

  stateVolumeSizes(): Promise<Map<string, number>> {
    return this.volumes.sizes();
  }

  logs(name: string, options: LogOptions): Promise<LogLine[]> {
    return this.logReader.logs(name, options);
  }

  readLogs(name: string, options: Omit<LogOptions, "timestamps">, signal?: AbortSignal): Promise<LogRead> {
    return this.logReader.readLogs(name, options, signal);
  }

  followLogs(name: string, options: FollowOptions, signal: AbortSignal): AsyncIterable<FollowBatch> {
    return this.logReader.followLogs(name, options, signal);
  }

  openLogStreams(): Record<string, number> {
    return this.logReader.openStreams();
  }

  events(signal: AbortSignal): AsyncIterable<RuntimeEvent> {
    return swarmEvents(this.access, signal);
  }
}
