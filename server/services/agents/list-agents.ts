import "server-only";
import type { ServiceCall } from "../../context";
import type { AgentView } from "../../contracts/agents";
import { toAgentView } from "../shared/agent-view";
import { requireRuntime } from "../shared/require-runtime";

/** The agents the engine reports, sorted by name. */
export async function listAgents({ ctx }: ServiceCall<void>): Promise<AgentView[]> {
  const containers = await requireRuntime(ctx).listAgents();
  ctx.fleet.absorb(containers);
  return containers.map(toAgentView).sort((a, b) => a.name.localeCompare(b.name));
}
