import "server-only";
import type { ServiceCall } from "../../context";
import { describeActor } from "../../contracts/actors";
import type { ContainerView } from "../../contracts/containers";
import { issueContainerCredentials } from "../../credentials/container-credentials";
import { findAgent, setDesiredState, upsertSpawnedAgent } from "../../db/queries/agents";
import { claimStateVolume } from "../../db/queries/installation";
import { conflict, HiveError } from "../../errors";
import { withInFlightSlot } from "../../in-flight/with-in-flight-slot";
import { isUp } from "../../runtime/types";
import { requireRuntime } from "../shared/require-runtime";
import { DEFAULT_STOP_TIMEOUT_SECONDS, loadContainerView } from "./internal/act-then-view";
import { AgentTarget } from "./internal/inputs";

/**
 * Makes another installation's agent (or one none claims, from before installation identities) this installation's:
 * only ever an operator's explicit act, e.g. after restoring onto a new database. It is recreated with this
 * installation's label and fresh credentials, keeps its state volume, and stays running or stopped as it was.
 */
export async function adoptAgent({ ctx, input }: ServiceCall<AgentTarget>): Promise<ContainerView | null> {
  const { name } = AgentTarget.parse(input);
  const actor = describeActor(ctx.actor);
  const runtime = requireRuntime(ctx);
  const db = ctx.db;
  if (await runtime.inspectAgent(name)) throw conflict(`${name} is already this installation's agent`);
  const notForeign = () => new HiveError("agent_not_found", `no agent named ${name} that another installation manages`);
  const foreign = (await runtime.listForeignAgents()).find((agent) => agent.name === name);
  if (!foreign) throw notForeign();
  await withInFlightSlot(ctx, { agent: name, kind: "rebuilding", action: "adopt", actor, traceId: ctx.traceId }, async () => {
    const config = await runtime.readAgentConfig(name, { foreign: true });
    if (!config) throw notForeign();
    const role = (await findAgent(db, name))?.role ?? "agent";
    const credentials = await issueContainerCredentials(ctx, name, role, actor);
    try {
      await runtime.adoptAgent({ name, ...config, env: { ...config.env, ...credentials.env } }, DEFAULT_STOP_TIMEOUT_SECONDS);
    } catch (error) {
      await credentials.revoke();
      throw error;
    }
    // Written once the engine made it ours: had this failed, the reconcile poll records it from what it sees.
    await upsertSpawnedAgent(db, { name, role, config, actor });
    if (!isUp(foreign.state)) await setDesiredState(db, name, "stopped", actor);
    await claimStateVolume(db, name);
    await credentials.retireOthers();
  });
  ctx.caches.volumes.invalidate();
  ctx.caches.foreign.invalidate();
  return loadContainerView(ctx, name);
}
