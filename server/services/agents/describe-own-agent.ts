import "server-only";
import type { ServiceCall } from "../../context";
import type { AgentActor } from "../../contracts/actors";
import { forbidden } from "../../errors";
import { toAgentView } from "../shared/agent-view";
import { AgentTarget } from "./internal/inputs";

/** What the dashboard knows about the calling agent. An agent token acts only as its own agent. */
export async function describeOwnAgent({ ctx, input }: ServiceCall<AgentTarget, AgentActor>) {
  const { name } = AgentTarget.parse(input);
  const { actor } = ctx;
  if (name !== actor.agent) throw forbidden(`this token belongs to agent ${actor.agent}, not ${name}`);
  const container = ctx.engine.status === "up" ? await ctx.runtime.inspectAgent(name) : null;
  return {
    agent: actor.agent,
    role: actor.role,
    runtime: ctx.engine.status,
    container: container ? toAgentView(container) : null,
  };
}
