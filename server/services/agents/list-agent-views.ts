import "server-only";
import type { ServiceCall } from "../../context";
import type { ContainerView } from "../../contracts/containers";
import { requireRuntime } from "../shared/require-runtime";
import { agentViewsOf, currentContainers } from "./internal/agent-views";
import { requireFleetCare } from "./internal/fleet-care";

/** Every agent with its observed and desired state, in-flight action and crashes: what a manager looks after. */
export async function listAgentViews({ ctx }: ServiceCall<void>): Promise<ContainerView[]> {
  requireFleetCare(ctx.actor, "list");
  requireRuntime(ctx);
  return agentViewsOf(ctx, await currentContainers(ctx));
}
