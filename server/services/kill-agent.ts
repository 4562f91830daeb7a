import "server-only";
import type { HiveApp } from "../app";
import { actThenView, requireAgentContainer } from "./agent-action";

/** SIGKILL at once. Desired state becomes stopped, so recovery leaves it down. */
export async function killAgent({ app, actor, name, traceId }: { app: HiveApp; actor: string; name: string; traceId?: string }) {
  await requireAgentContainer(app, name);
  return actThenView(
    { app, agent: name, kind: "stopping", action: "kill", actor, traceId, desiredState: "stopped" },
    () => app.runtime.killAgent(name, "SIGKILL"),
  );
}
