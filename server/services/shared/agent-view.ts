import "server-only";
import type { AgentView } from "../../contracts/agents";
import type { AgentContainer } from "../../runtime/types";

export function toAgentView(container: AgentContainer): AgentView {
  return {
    name: container.name,
    containerId: container.containerId,
    runId: container.runId,
    node: container.node,
    image: container.image,
    state: container.state,
    createdAt: container.createdAt,
    startedAt: container.startedAt,
    finishedAt: container.finishedAt,
    exitCode: container.exitCode,
    oomKilled: container.oomKilled,
  };
}
