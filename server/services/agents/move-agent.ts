import "server-only";
import { z } from "zod";
import type { ServiceCall } from "../../context";
import { describeActor } from "../../contracts/actors";
import { MoveAgentInput, type MovedAgentView } from "../../contracts/containers";
import { publishEvent } from "../../db/queries/events";
import { HiveError } from "../../errors";
import { withInFlightSlot } from "../../in-flight/with-in-flight-slot";
import { requireKnownNode } from "../shared/known-node";
import { requireRuntime } from "../shared/require-runtime";
import { DEFAULT_STOP_TIMEOUT_SECONDS, loadContainerView, requireAgentContainer } from "./internal/act-then-view";
import { AgentTarget } from "./internal/inputs";

export const MoveAgentTarget = AgentTarget.extend(MoveAgentInput.shape);
export type MoveAgentTarget = z.infer<typeof MoveAgentTarget>;

export type MovedAgent = MovedAgentView;

/**
 * Moves an agent and its state to another node of the cluster, as an operator's explicit act: it is stopped, what its
 * state volume holds is copied to a new volume on that node and removed from the old one, it is pinned there, and it
 * runs again if it ran (its desired state is left as it was). Refused before anything is touched when the runtime has
 * one node, the node is unknown or cannot take it, or the agent's own node cannot be reached (its state is there).
 */
export async function moveAgent({ ctx, input }: ServiceCall<MoveAgentTarget>): Promise<MovedAgent> {
  const { name, node } = MoveAgentTarget.parse(input);
  const actor = describeActor(ctx.actor);
  const runtime = requireRuntime(ctx);
  if (!runtime.capabilities.placement) {
    throw new HiveError("conflict", `the ${runtime.kind} runtime runs every agent on one machine: there is no other node to move ${name} to`);
  }
  const container = await requireAgentContainer(ctx, name);
  const target = await requireKnownNode(runtime, node);
  const from = container.node;
  if (from === node) throw new HiveError("conflict", `${name} is on node ${node} already`);
  if (container.state === "unreachable") throw new HiveError("conflict", `${name}'s node ${from} is unreachable: its state is there and cannot be read now`);
  if (target.state !== "ready" || !target.engineReachable) {
    throw new HiveError("conflict", `node ${node} cannot take ${name} now: ${target.state !== "ready" ? `it is ${target.state}` : `its engine is not reachable (${target.engineProblem ?? "no endpoint"})`}`);
  }
  if (target.availability !== "active") throw new HiveError("conflict", `node ${node} takes no new work (availability ${target.availability})`);
  let bytes = 0;
  await withInFlightSlot(ctx, { agent: name, kind: "moving", action: "move", actor, traceId: ctx.traceId }, async () => {
    try {
      ({ bytes } = await runtime.moveAgent(name, node, DEFAULT_STOP_TIMEOUT_SECONDS));
    } finally {
      ctx.caches.volumes.invalidate();
    }
    await publishEvent(ctx.db, { kind: "agent_moved", agent: name, actor, detail: { from, to: node, bytes } });
  });
  return { agent: await loadContainerView(ctx, name), from, to: node, bytes };
}
