import "server-only";
import { AGENT_LABEL, type AgentContainer, type AgentState } from "../types";
import type { Service, Task } from "./engine-schemas";

// How an agent stands, from its service, its tasks and their nodes: pure, no I/O.

/** What the driver knows of a node when it judges an agent on it. */
export type NodeLook = { id: string; hostname: string; reachable: boolean };

const OVER = new Set(["complete", "shutdown", "failed", "rejected", "remove", "orphaned"]);
/** A task that stopped by itself: its container ended (not Swarm shutting it down, not a start that never happened). */
const ENDED_BY_ITSELF = new Set(["complete", "failed"]);

export const isTaskOver = (task: Task) => OVER.has(task.Status.State);
export const endedByItself = (task: Task) => ENDED_BY_ITSELF.has(task.Status.State);
/** Swarm wants the task to run (a desired state past `running` means it is being, or was, shut down). */
export const wantedRunning = (task: Task) => task.DesiredState === "running" || task.DesiredState === "ready" || task.DesiredState === "accepted";
/** A run that is on, or on its way. */
export const isLive = (task: Task) => wantedRunning(task) && !isTaskOver(task);

export const replicasOf = (service: Service) => service.Spec.Mode.Replicated?.Replicas ?? 0;

/** The node a service is pinned to (`node.id==…`), if any. */
export function pinnedNodeId(service: Service): string | null {
  for (const constraint of service.Spec.TaskTemplate.Placement?.Constraints ?? []) {
    const match = /^node\.id\s*==\s*(\S+)$/.exec(constraint.trim());
    if (match) return match[1]!;
  }
  return null;
}

/** The agent's current run: its live task (the newest, during an update), else the one that ran last. */
export function currentTask(tasks: readonly Task[]): Task | null {
  const newestFirst = [...tasks].sort((a, b) => b.CreatedAt.localeCompare(a.CreatedAt));
  return newestFirst.find(isLive) ?? newestFirst[0] ?? null;
}

/** The label that marks a service the dashboard stopped by scaling it to 0 (its last run went with its task). */
export const STOPPED_LABEL = "hive.stopped";

function stateOf(service: Service, task: Task | null, node: NodeLook | undefined): AgentState {
  if (!task) {
    if (replicasOf(service) > 0) return "starting";
    return service.Spec.Labels[STOPPED_LABEL] ? "exited" : "created";
  }
  // Where the task's node cannot be reached, how the run stands is unknown: a run that was on may still be.
  if (node && !node.reachable && !isTaskOver(task)) return "unreachable";
  if (task.Status.State === "remove") return "removing";
  if (isTaskOver(task)) return "exited";
  if (!wantedRunning(task)) return "stopping";
  return task.Status.State === "running" ? "running" : "starting";
}

/** How a run ended, as its node's engine told (the manager's task says so a little later). */
export type RunExit = { exitCode: number | null; oomKilled: boolean; at: string };

export type TaskMemory = {
  /** The run's end as its node's engine told it, if the driver heard it. */
  exitOf(taskId: string): RunExit | null;
  /** When a task that is over began running, if it was seen running. */
  startedAt(taskId: string): string | null;
  /** Whether a task that is over was killed for running out of memory (its node's engine tells). */
  oomKilled(taskId: string): boolean;
};

export function toAgentContainer(service: Service, tasks: readonly Task[], nodes: ReadonlyMap<string, NodeLook>, memory: TaskMemory): AgentContainer {
  const task = currentTask(tasks);
  const nodeId = task?.NodeID || pinnedNodeId(service);
  const node = nodeId ? nodes.get(nodeId) : undefined;
  // A run whose end its node told of is over, though the manager may still call its task running for a moment.
  const told = task && !isTaskOver(task) ? memory.exitOf(task.ID) : null;
  if (task && told) return { ...toAgentContainer(service, [], nodes, memory), ...endedRun(service, task, node, told, memory) };
  const state = stateOf(service, task, node);
  const over = task !== null && isTaskOver(task);
  const image = service.Spec.TaskTemplate.ContainerSpec.Image;
  return {
    name: service.Spec.Labels[AGENT_LABEL] ?? "",
    containerId: service.ID,
    runId: task?.ID ?? null,
    node: node?.hostname ?? nodeId ?? "",
    containerName: service.Spec.Name,
    image,
    imageId: image.startsWith("sha256:") ? image : "",
    state,
    createdAt: service.CreatedAt,
    startedAt: !task ? null : over ? memory.startedAt(task.ID) : task.Status.State === "running" ? task.Status.Timestamp : null,
    finishedAt: over ? task.Status.Timestamp : null,
    exitCode: over && task.Status.State !== "rejected" ? (task.Status.ContainerStatus?.ExitCode ?? null) : null,
    oomKilled: over ? memory.oomKilled(task.ID) : false,
    labels: service.Spec.Labels,
  };
}

function endedRun(service: Service, task: Task, node: NodeLook | undefined, exit: RunExit, memory: TaskMemory): Partial<AgentContainer> {
  return {
    runId: task.ID,
    node: node?.hostname ?? task.NodeID ?? "",
    state: node && !node.reachable ? "unreachable" : "exited",
    startedAt: memory.startedAt(task.ID),
    finishedAt: exit.at,
    exitCode: exit.exitCode,
    oomKilled: exit.oomKilled,
    labels: service.Spec.Labels,
  };
}
