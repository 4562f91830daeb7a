import "server-only";
import type { HiveApp } from "../app";
import { notifyAgentStarted } from "./agent-inbox";
import { actThenView, requireAgentContainer } from "./agent-action";
import { DEFAULT_STOP_TIMEOUT_SECONDS } from "./stop-agent";

export async function restartAgent({
  app,
  actor,
  name,
  timeoutSeconds = DEFAULT_STOP_TIMEOUT_SECONDS,
  traceId,
}: {
  app: HiveApp;
  actor: string;
  name: string;
  timeoutSeconds?: number;
  traceId?: string;
}) {
  await requireAgentContainer(app, name);
  return actThenView(
    { app, agent: name, kind: "restarting", action: "restart", actor, traceId, desiredState: "running" },
    () => app.runtime.restartAgent(name, timeoutSeconds),
    () => notifyAgentStarted(app, name, "restarted", actor),
  );
}
