import "server-only";
import type { HiveApp } from "../app";
import type { AgentView } from "../contracts/agents";
import type { AgentContainer } from "../runtime/types";
import { requireRuntime } from "./require-runtime";

export function toAgentView(container: AgentContainer): AgentView {
  return {
    name: container.name,
    containerId: container.containerId,
    image: container.image,
    state: container.state,
    status: container.status,
    createdAt: container.createdAt,
    startedAt: container.startedAt,
    finishedAt: container.finishedAt,
    exitCode: container.exitCode,
    oomKilled: container.oomKilled,
  };
}

/** The agent containers the engine reports, sorted by name. */
export async function listAgents({ app }: { app: HiveApp }): Promise<AgentView[]> {
  const containers = await requireRuntime(app).listAgents();
  app.fleet.absorb(containers);
  return containers.map(toAgentView).sort((a, b) => a.name.localeCompare(b.name));
}
