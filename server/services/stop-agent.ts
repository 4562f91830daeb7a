import "server-only";
import type { HiveApp } from "../app";
import { actThenView, requireAgentContainer } from "./agent-action";

export const DEFAULT_STOP_TIMEOUT_SECONDS = 10;

/** Stop gracefully (SIGTERM, then SIGKILL after the timeout). The operator's stop always wins over recovery. */
export async function stopAgent({
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
    { app, agent: name, kind: "stopping", action: "stop", actor, traceId, desiredState: "stopped" },
    () => app.runtime.stopAgent(name, timeoutSeconds),
  );
}
