import type { AgentView } from "../contracts/agents";
import type { ContainerView, CrashView, PendingView, SpawningView } from "../contracts/containers";

// Pure view builders: rows in, views out, no I/O. The state endpoint orchestrates them.

export type AgentRecord = {
  name: string;
  role: "agent" | "manager";
  desiredState: "running" | "stopped";
  desiredChangedBy: string;
  desiredChangedAt: Date;
  destroyedAt: Date | null;
  crashLoopingSince: Date | null;
  nextRestartAt: Date | null;
};

export type TransientRecord = {
  agent: string;
  kind: PendingView["kind"];
  action: string;
  startedBy: string;
  startedAt: Date;
  deadlineAt: Date;
};

export type CrashSummaryRecord = {
  agent: string;
  recentCount: number;
  total: number;
  last: { id: number; crashedAt: Date; exitCode: number | null; oomKilled: boolean; outcome: CrashView["outcome"]; lastLines: readonly unknown[] };
};

export function toPendingView(transient: TransientRecord, now: Date): PendingView {
  return {
    kind: transient.kind,
    action: transient.action,
    startedBy: transient.startedBy,
    startedAt: transient.startedAt.toISOString(),
    deadlineAt: transient.deadlineAt.toISOString(),
    stuck: transient.deadlineAt.getTime() <= now.getTime(),
  };
}

const isUp = (state: AgentView["state"]) => state === "running" || state === "starting";

/** One row per container the engine reports, merged with what the dashboard keeps about that agent. */
export function buildContainerViews(input: {
  containers: AgentView[];
  agents: AgentRecord[];
  transients: TransientRecord[];
  crashes: CrashSummaryRecord[];
  now: Date;
}): ContainerView[] {
  const agents = new Map(input.agents.map((agent) => [agent.name, agent]));
  const transients = new Map(input.transients.map((transient) => [transient.agent, transient]));
  const crashes = new Map(input.crashes.map((summary) => [summary.agent, summary]));
  return input.containers
    .map((container): ContainerView => {
      const agent = agents.get(container.name);
      const transient = transients.get(container.name);
      const crash = crashes.get(container.name);
      const desired = agent?.desiredState ?? null;
      return {
        ...container,
        role: agent?.role ?? "agent",
        desiredState: desired,
        desiredChangedBy: agent?.desiredChangedBy ?? null,
        desiredChangedAt: agent?.desiredChangedAt.toISOString() ?? null,
        drift: !transient && desired !== null && (desired === "running") !== isUp(container.state),
        pending: transient ? toPendingView(transient, input.now) : null,
        crashLoopingSince: agent?.crashLoopingSince?.toISOString() ?? null,
        nextRestartAt: agent?.nextRestartAt?.toISOString() ?? null,
        crashes: {
          recent: crash?.recentCount ?? 0,
          total: crash?.total ?? 0,
          last: crash
            ? {
                id: crash.last.id,
                crashedAt: crash.last.crashedAt.toISOString(),
                exitCode: crash.last.exitCode,
                oomKilled: crash.last.oomKilled,
                outcome: crash.last.outcome,
                lineCount: crash.last.lastLines.length,
              }
            : null,
        },
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Agents being spawned that have no container yet: their own short list. */
export function buildSpawningViews(input: { containers: AgentView[]; transients: TransientRecord[]; now: Date }): SpawningView[] {
  const withContainer = new Set(input.containers.map((container) => container.name));
  return input.transients
    .filter((transient) => transient.kind === "spawning" && !withContainer.has(transient.agent))
    .map((transient) => ({
      name: transient.agent,
      startedBy: transient.startedBy,
      startedAt: transient.startedAt.toISOString(),
      deadlineAt: transient.deadlineAt.toISOString(),
      stuck: transient.deadlineAt.getTime() <= input.now.getTime(),
    }))
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/** Any action in flight anywhere: the page refreshes faster (2 s) while this is true. */
export const anyInFlight = (transients: TransientRecord[]) => transients.length > 0;
