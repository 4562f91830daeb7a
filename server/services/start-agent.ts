import "server-only";
import type { HiveApp } from "../app";
import { notifyAgentStarted } from "./agent-inbox";
import { actThenView, requireAgentContainer } from "./agent-action";

/** Start: desired state becomes running; starting a running agent is a no-op that still succeeds. */
export async function startAgent({ app, actor, name, traceId }: { app: HiveApp; actor: string; name: string; traceId?: string }) {
  const before = await requireAgentContainer(app, name);
  const wasUp = before.state === "running" || before.state === "restarting";
  return actThenView(
    { app, agent: name, kind: "starting", action: "start", actor, traceId, desiredState: "running" },
    () => app.runtime.startAgent(name),
    wasUp ? undefined : () => notifyAgentStarted(app, name, "started", actor),
  );
}
