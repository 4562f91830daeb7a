import "server-only";
import { AGENT_LABEL, type AgentContainer, containerNameFor, RuntimeError } from "../types";
import { ContainerInspect } from "../docker/engine-schemas";
import { currentTask, isTaskOver, type NodeLook, type RunExit, type TaskMemory, toAgentContainer } from "./agent-state";
import { type EngineClient, engineRequest, quickly } from "./engine-client";
import { Service, ServiceList, type ServiceSpec, Task, TaskList } from "./engine-schemas";
import type { NodeDirectory } from "./nodes";
import type { Ownership } from "./ownership";

/** Remembered per task at most this many (runs end; what they were is kept for the page). */
const MEMORY_LIMIT = 5_000;
/** Service ids per task-list query (the filter goes in the URL). */
const TASK_QUERY_CHUNK = 50;
const UPDATE_ATTEMPTS = 5;

/** What the driver remembers of runs: when they started (a task that is over no longer says) and whether they ran out of memory. */
class RunMemory implements TaskMemory {
  private readonly started = new Map<string, string>();
  private readonly oom = new Map<string, boolean>();
  private readonly exits = new Map<string, RunExit>();

  private static put<V>(map: Map<string, V>, key: string, value: V) {
    if (map.size >= MEMORY_LIMIT) map.delete(map.keys().next().value!);
    map.set(key, value);
  }

  sawRunning(task: Task) {
    if (task.Status.State === "running" && !this.started.has(task.ID)) RunMemory.put(this.started, task.ID, task.Status.Timestamp);
  }
  startedAt = (taskId: string) => this.started.get(taskId) ?? null;
  oomKilled = (taskId: string) => this.oom.get(taskId) ?? false;
  knowsOom = (taskId: string) => this.oom.has(taskId);
  setOom(taskId: string, oomKilled: boolean) {
    RunMemory.put(this.oom, taskId, oomKilled);
  }
  exitOf = (taskId: string) => this.exits.get(taskId) ?? null;
  /** A node's engine told of the run's end before the manager's task says so. */
  sawExit(taskId: string, exit: RunExit) {
    RunMemory.put(this.exits, taskId, exit);
    this.setOom(taskId, exit.oomKilled);
  }
}

/** The manager's services and tasks as the driver reads and changes them, and the agents they make. */
export class SwarmAccess {
  readonly memory = new RunMemory();

  constructor(
    readonly ownership: Ownership,
    readonly manager: EngineClient,
    readonly nodes: NodeDirectory,
    readonly probeTimeoutMs: number,
  ) {}

  /** A short call to the manager, failing as unavailable when it hangs. */
  quick<T>(method: string, path: string, query?: Record<string, unknown>): Promise<T> {
    return quickly(engineRequest<T>(this.manager.quick, method, path, { query }), this.probeTimeoutMs, "the manager");
  }

  /** The agent's service (found by name, confirmed by label), or null. */
  async service(name: string): Promise<Service | null> {
    try {
      const service = Service.parse(await this.quick("GET", `/services/${containerNameFor(name)}`));
      return isAgentService(service, name) && this.ownership.owns(service.Spec.Labels) ? service : null;
    } catch (error) {
      if ((error as RuntimeError).kind === "not_found") return null;
      throw error;
    }
  }

  async requireService(name: string): Promise<Service> {
    const service = await this.service(name);
    if (!service) throw new RuntimeError("not_found", `no service for agent ${name}`, 404);
    return service;
  }

  async ourServices(): Promise<Service[]> {
    const raw = await this.quick("GET", "/services", { filters: { label: [AGENT_LABEL] } });
    return this.agentServices(raw).filter((service) => this.ownership.owns(service.Spec.Labels));
  }

  /** Agents' services of other installations (or of none) on the swarm. */
  async foreignServices(): Promise<Service[]> {
    const raw = await this.quick("GET", "/services", { filters: { label: [AGENT_LABEL] } });
    return this.agentServices(raw).filter((service) => !this.ownership.owns(service.Spec.Labels));
  }

  private agentServices(raw: unknown): Service[] {
    return ServiceList.parse(raw).filter((service) => isAgentService(service, service.Spec.Labels[AGENT_LABEL] ?? ""));
  }

  /** Every task (history included) of these services. */
  async tasksOf(serviceIds: string[]): Promise<Task[]> {
    const chunks: string[][] = [];
    for (let index = 0; index < serviceIds.length; index += TASK_QUERY_CHUNK) chunks.push(serviceIds.slice(index, index + TASK_QUERY_CHUNK));
    const lists = await Promise.all(chunks.map(async (ids) => TaskList.parse(await this.quick("GET", "/tasks", { filters: { service: ids } }))));
    const tasks = lists.flat();
    for (const task of tasks) this.memory.sawRunning(task);
    return tasks;
  }

  /** The tasks Swarm wants running, across the swarm. */
  async liveTasks(): Promise<Task[]> {
    const tasks = TaskList.parse(await this.quick("GET", "/tasks", { filters: { "desired-state": ["running"] } }));
    for (const task of tasks) this.memory.sawRunning(task);
    return tasks;
  }

  async task(id: string): Promise<Task | null> {
    try {
      const task = Task.parse(await this.quick("GET", `/tasks/${id}`));
      this.memory.sawRunning(task);
      return task;
    } catch (error) {
      if ((error as RuntimeError).kind === "not_found") return null;
      throw error;
    }
  }

  /** The agents of these services, as they stand now. */
  async agents(services: Service[], tasks?: Task[]): Promise<AgentContainer[]> {
    const [all, looks] = await Promise.all([tasks ?? this.tasksOf(services.map((service) => service.ID)), this.nodes.looks()]);
    const byService = new Map<string, Task[]>();
    for (const task of all) byService.set(task.ServiceID, [...(byService.get(task.ServiceID) ?? []), task]);
    return Promise.all(
      services.map(async (service) => {
        const own = byService.get(service.ID) ?? [];
        await this.learnOom(currentTask(own), looks);
        return toAgentContainer(service, own, looks, this.memory);
      }),
    );
  }

  async agent(service: Service): Promise<AgentContainer> {
    return (await this.agents([service]))[0]!;
  }

  /** Whether a run that ended with 137 ran out of memory: only its node's engine knows (asked once per run). */
  private async learnOom(task: Task | null, looks: Map<string, NodeLook>) {
    if (!task || !isTaskOver(task) || this.memory.knowsOom(task.ID)) return;
    const containerId = task.Status.ContainerStatus?.ContainerID;
    const hostname = task.NodeID ? looks.get(task.NodeID)?.hostname : undefined;
    if (task.Status.ContainerStatus?.ExitCode !== 137 || !containerId || !hostname) {
      this.memory.setOom(task.ID, false);
      return;
    }
    const engine = this.nodes.usableEngine(hostname);
    if (!engine) return;
    try {
      const inspect = ContainerInspect.parse(await quickly(engineRequest(engine.quick, "GET", `/containers/${containerId}/json`), this.probeTimeoutMs, `the engine of ${hostname}`));
      this.memory.setOom(task.ID, inspect.State.OOMKilled);
    } catch (error) {
      if ((error as RuntimeError).kind === "not_found") this.memory.setOom(task.ID, false);
    }
  }

  /**
   * Changes the service's spec: read, change, write with the version read (a concurrent writer makes Swarm refuse the
   * version; the change is made again on what it wrote). Answers the service as written.
   */
  async update(name: string, change: (spec: ServiceSpec, service: Service) => void, query: Record<string, unknown> = {}): Promise<Service> {
    for (let attempt = 1; ; attempt++) {
      const service = await this.requireService(name);
      const spec = structuredClone(service.Spec);
      change(spec, service);
      try {
        await engineRequest(this.manager.slow, "POST", `/services/${service.ID}/update`, { query: { version: service.Version.Index, ...query }, body: spec });
        return await this.requireService(name);
      } catch (error) {
        if (attempt < UPDATE_ATTEMPTS && /out of sequence/i.test((error as Error).message)) continue;
        throw error;
      }
    }
  }
}

/** An agent's service carries its label and its name (looked up by name, so both must agree). */
function isAgentService(service: Service, name: string): boolean {
  return name !== "" && service.Spec.Labels[AGENT_LABEL] === name && service.Spec.Name === containerNameFor(name);
}
