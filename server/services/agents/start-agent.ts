import "server-only";
import { z } from "zod";
import type { ServiceCall } from "../../context";
import { describeActor } from "../../contracts/actors";
import { AgentName } from "../../contracts/common";
import type { ContainerView } from "../../contracts/containers";
import { clearScheduledRestart } from "../../db/queries/agents";
import { withInFlightSlot } from "../../in-flight/with-in-flight-slot";
import { isUp } from "../../runtime/types";
import { notifyAgentStarted } from "../inbox/notify-agent-started";
import { actThenView, requireAgentContainer } from "./internal/act-then-view";
import { requireFleetCare } from "./internal/fleet-care";

export const StartAgentInput = z.object({
  name: AgentName,
  /**
   * Who asks: an operator (the desired state becomes running, the answer is the agent's view), or the dashboard itself,
   * recovering a crashed agent or starting one that should run: those leave the desired state as operators set it.
   */
  cause: z.enum(["operator", "recovery", "reconcile"]).default("operator"),
});
export type StartAgentInput = z.input<typeof StartAgentInput>;

/** Starts an agent; starting a running agent is a no-op that still succeeds. The one start path for everybody. */
export async function startAgent({ ctx, input }: ServiceCall<StartAgentInput>): Promise<ContainerView | null> {
  const { name, cause } = StartAgentInput.parse(input);
  requireFleetCare(ctx.actor, "start", name);
  const before = await requireAgentContainer(ctx, name);
  const actor = describeActor(ctx.actor);
  if (cause === "operator") {
    return actThenView(
      ctx,
      { agent: name, kind: "starting", action: "start", actor, traceId: ctx.traceId, desiredState: "running" },
      () => ctx.runtime.startAgent(name),
      isUp(before.state) ? undefined : () => notifyAgentStarted(ctx, name, "started", actor),
    );
  }
  await withInFlightSlot(ctx, { agent: name, kind: "starting", action: cause === "recovery" ? "recover" : "reconcile", actor }, async () => {
    await ctx.runtime.startAgent(name);
    // The restart stops being due before the slot is freed, so the recovery never sees it due and free at once.
    if (cause === "recovery") await clearScheduledRestart(ctx.db, name);
  });
  await notifyAgentStarted(ctx, name, cause === "recovery" ? "recovered" : "started", actor);
  return null;
}
