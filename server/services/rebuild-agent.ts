import "server-only";
import type { HiveApp } from "../app";
import { findAgent, setConfig, setDesiredState } from "../db/queries/agents";
import { HiveError } from "../errors";
import { notifyAgentStarted } from "./agent-inbox";
import { loadContainerView, requireAgentContainer, withInFlightSlot } from "./agent-action";
import { issueContainerCredentials } from "./container-credentials";
import { DEFAULT_STOP_TIMEOUT_SECONDS } from "./stop-agent";

/**
 * Recreates the container from the agent's stored config and the image its reference names now, keeping the
 * state volume. An agent created outside the dashboard has its config read from the container first.
 */
export async function rebuildAgent({ app, actor, name, traceId }: { app: HiveApp; actor: string; name: string; traceId?: string }) {
  await requireAgentContainer(app, name);
  const db = app.database.db;
  await withInFlightSlot({ app, agent: name, kind: "rebuilding", action: "rebuild", actor, traceId }, async () => {
    const stored = await findAgent(db, name);
    const config = stored?.config ?? (await app.runtime.readAgentConfig(name));
    if (!config) throw new HiveError("agent_not_found", `no agent container named ${name}`);
    await setDesiredState(db, name, "running", actor);
    if (!stored?.config) await setConfig(db, name, config);
    const credentials = await issueContainerCredentials(app, name, stored?.role ?? "agent", actor);
    try {
      await app.runtime.recreateAgent({ name, ...config, env: { ...config.env, ...credentials.env } }, DEFAULT_STOP_TIMEOUT_SECONDS);
    } catch (error) {
      await credentials.revoke();
      throw error;
    }
    await credentials.retireOthers();
  });
  const [view] = await Promise.all([loadContainerView(app, name), notifyAgentStarted(app, name, "rebuilt", actor)]);
  return view;
}
