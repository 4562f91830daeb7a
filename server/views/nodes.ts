import type { AgentView } from "../contracts/agents";
import type { NodeView } from "../contracts/nodes";

type NodeRecord = Omit<NodeView, "agents">;

/** The nodes strip: each node with the number of this installation's agents on it, by name. */
export function buildNodeViews(nodes: readonly NodeRecord[], agents: readonly Pick<AgentView, "node">[]): NodeView[] {
  const counts = new Map<string, number>();
  for (const agent of agents) counts.set(agent.node, (counts.get(agent.node) ?? 0) + 1);
  return [...nodes].sort((a, b) => a.name.localeCompare(b.name)).map((node) => ({ ...node, agents: counts.get(node.name) ?? 0 }));
}
