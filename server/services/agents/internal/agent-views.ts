import "server-only";
import type { HiveContext } from "../../../context";
import type { ContainerView } from "../../../contracts/containers";
import type { AgentContainer } from "../../../runtime/types";
import { buildContainerViews } from "../../../views/containers";
import { toAgentView } from "../../shared/agent-view";

/** Agents as the operators' page shows them: the engine's containers merged with the kept records (desired state, pill, crashes). */
export async function agentViewsOf(ctx: HiveContext, containers: AgentContainer[]): Promise<ContainerView[]> {
  const snapshot = await ctx.caches.state.get();
  return buildContainerViews({
    containers: containers.map(toAgentView),
    agents: snapshot.agents,
    transients: snapshot.transients,
    crashes: snapshot.crashes,
    now: new Date(),
  });
}

/** The engine's containers: the live picture when it is current, else one list call (which then feeds the picture). */
export async function currentContainers(ctx: HiveContext): Promise<AgentContainer[]> {
  const live = ctx.fleet.current();
  if (live) return live;
  const listed = await ctx.runtime.listAgents();
  ctx.fleet.absorb(listed);
  return listed;
}
