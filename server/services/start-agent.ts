import "server-only";
import type { HiveApp } from "../app";
import { setDesiredState } from "../db/queries/agents";
import { notifyAgentStarted } from "./agent-inbox";
import { loadContainerView, requireAgentContainer, withInFlightSlot } from "./agent-action";

/** Start: desired state becomes running; starting a running agent is a no-op that still succeeds. */
export async function startAgent({ app, actor, name, traceId }: { app: HiveApp; actor: string; name: string; traceId?: string }) {
  const before = await requireAgentContainer(app, name);
  const wasUp = before.state === "running" || before.state === "restarting";
  await withInFlightSlot({ app, agent: name, kind: "starting", action: "start", actor, traceId }, async () => {
    await setDesiredState(app.database.db, name, "running", actor);
    await app.runtime.startAgent(name);
  });
  const [view] = await Promise.all([loadContainerView(app, name), wasUp ? null : notifyAgentStarted(app, name, "started", actor)]);
  return view;
}
