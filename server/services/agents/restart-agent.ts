import "server-only";
import type { ServiceCall } from "../../context";
import { describeActor } from "../../contracts/actors";
import type { ContainerView } from "../../contracts/containers";
import { notifyAgentStarted } from "../inbox/notify-agent-started";
import { actThenView, DEFAULT_STOP_TIMEOUT_SECONDS, requireAgentContainer } from "./internal/act-then-view";
import { requireFleetCare } from "./internal/fleet-care";
import { GracefulAgentTarget } from "./internal/inputs";

/** Restart: the agent gets `timeoutSeconds` to exit, then runs again; its desired state becomes running. */
export async function restartAgent({ ctx, input }: ServiceCall<GracefulAgentTarget>): Promise<ContainerView | null> {
  const { name, timeoutSeconds = DEFAULT_STOP_TIMEOUT_SECONDS } = GracefulAgentTarget.parse(input);
  requireFleetCare(ctx.actor, "restart", name);
  const actor = describeActor(ctx.actor);
  await requireAgentContainer(ctx, name);
  return actThenView(
    ctx,
    { agent: name, kind: "restarting", action: "restart", actor, traceId: ctx.traceId, graceSeconds: timeoutSeconds, desiredState: "running" },
    () => ctx.runtime.restartAgent(name, timeoutSeconds),
    () => notifyAgentStarted(ctx, name, "restarted", actor),
  );
}
