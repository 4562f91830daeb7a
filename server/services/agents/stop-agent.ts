import "server-only";
import type { ServiceCall } from "../../context";
import { describeActor } from "../../contracts/actors";
import type { ContainerView } from "../../contracts/containers";
import { actThenView, DEFAULT_STOP_TIMEOUT_SECONDS, requireAgentContainer } from "./internal/act-then-view";
import { GracefulAgentTarget } from "./internal/inputs";

/** Stop gracefully (SIGTERM, then SIGKILL after the timeout). The operator's stop always wins over recovery. */
export async function stopAgent({ ctx, input }: ServiceCall<GracefulAgentTarget>): Promise<ContainerView | null> {
  const { name, timeoutSeconds = DEFAULT_STOP_TIMEOUT_SECONDS } = GracefulAgentTarget.parse(input);
  await requireAgentContainer(ctx, name);
  return actThenView(
    ctx,
    { agent: name, kind: "stopping", action: "stop", actor: describeActor(ctx.actor), traceId: ctx.traceId, graceSeconds: timeoutSeconds, desiredState: "stopped" },
    () => ctx.runtime.stopAgent(name, timeoutSeconds),
  );
}
