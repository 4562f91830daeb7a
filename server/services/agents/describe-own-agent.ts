import "server-only";
import type { ServiceCall } from "../../context";
import type { AgentActor } from "../../contracts/actors";
import type { OwnAgentView } from "../../contracts/containers";
import { forbidden } from "../../errors";
import { agentViewsOf } from "./internal/agent-views";
import { AgentTarget } from "./internal/inputs";

/**
 * What the dashboard knows about the calling agent: its role, its desired state and its container as the operators'
 * page shows it (observed state, in-flight action, crashes). An agent token acts only as its own agent.
 */
export async function describeOwnAgent({ ctx, input }: ServiceCall<AgentTarget, AgentActor>): Promise<OwnAgentView> {
  const { name } = AgentTarget.parse(input);
  const { actor } = ctx;
  if (name !== actor.agent) throw forbidden(`this token belongs to agent ${actor.agent}, not ${name}`);
  const known = ctx.fleet.current()?.find((container) => container.name === name);
  const container = known ?? (ctx.engine.status === "up" ? await ctx.runtime.inspectAgent(name) : null);
  const [view] = container ? await agentViewsOf(ctx, [container]) : [];
  const record = view ? undefined : (await ctx.caches.state.get()).agents.find((agent) => agent.name === name);
  return {
    agent: actor.agent,
    role: actor.role,
    runtime: ctx.engine.status,
    desiredState: view ? view.desiredState : (record?.desiredState ?? null),
    container: view ?? null,
  };
}
