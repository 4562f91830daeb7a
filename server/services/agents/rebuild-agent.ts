import "server-only";
import type { ServiceCall } from "../../context";
import { describeActor } from "../../contracts/actors";
import type { ContainerView } from "../../contracts/containers";
import { issueContainerCredentials } from "../../credentials/container-credentials";
import { findAgent, setConfig, setDesiredState } from "../../db/queries/agents";
import { HiveError } from "../../errors";
import { withInFlightSlot } from "../../in-flight/with-in-flight-slot";
import { notifyAgentStarted } from "../inbox/notify-agent-started";
import { asSettingsRefusal } from "../shared/engine-refusal";
import { DEFAULT_STOP_TIMEOUT_SECONDS, loadContainerView, requireAgentContainer } from "./internal/act-then-view";
import { AgentTarget } from "./internal/inputs";

/**
 * Recreates the container from the agent's stored config and the image its reference names now, keeping the
 * state volume. An agent created outside the dashboard has its config read from the container first.
 */
export async function rebuildAgent({ ctx, input }: ServiceCall<AgentTarget>): Promise<ContainerView | null> {
  const { name } = AgentTarget.parse(input);
  const actor = describeActor(ctx.actor);
  await requireAgentContainer(ctx, name);
  const db = ctx.db;
  await withInFlightSlot(ctx, { agent: name, kind: "rebuilding", action: "rebuild", actor, traceId: ctx.traceId }, async () => {
    const stored = await findAgent(db, name);
    const config = stored?.config ?? (await ctx.runtime.readAgentConfig(name));
    if (!config) throw new HiveError("agent_not_found", `no agent container named ${name}`);
    await setDesiredState(db, name, "running", actor);
    if (!stored?.config) await setConfig(db, name, config);
    const credentials = await issueContainerCredentials(ctx, name, stored?.role ?? "agent", actor);
    try {
      await ctx.runtime.recreateAgent({ name, ...config, env: { ...config.env, ...credentials.env } }, DEFAULT_STOP_TIMEOUT_SECONDS);
    } catch (error) {
      await credentials.revoke();
      throw asSettingsRefusal(error);
    }
    await credentials.retireOthers();
  });
  const [view] = await Promise.all([loadContainerView(ctx, name), notifyAgentStarted(ctx, name, "rebuilt", actor)]);
  return view;
}
