import "server-only";
import type { ServiceCall } from "../../context";
import { describeActor } from "../../contracts/actors";
import type { ContainerView } from "../../contracts/containers";
import { actThenView, requireAgentContainer } from "./internal/act-then-view";
import { requireFleetCare } from "./internal/fleet-care";
import { AgentTarget } from "./internal/inputs";

/** SIGKILL at once. Desired state becomes stopped, so recovery leaves it down. */
export async function killAgent({ ctx, input }: ServiceCall<AgentTarget>): Promise<ContainerView | null> {
  const { name } = AgentTarget.parse(input);
  requireFleetCare(ctx.actor, "kill", name);
  await requireAgentContainer(ctx, name);
  return actThenView(
    ctx,
    { agent: name, kind: "stopping", action: "kill", actor: describeActor(ctx.actor), traceId: ctx.traceId, desiredState: "stopped" },
    () => ctx.runtime.killAgent(name, "SIGKILL"),
  );
}
