import "server-only";
import type { HiveApp } from "../app";
import { setDesiredState } from "../db/queries/agents";
import { loadContainerView, requireAgentContainer, withInFlightSlot } from "./agent-action";

/** SIGKILL at once. Desired state becomes stopped, so recovery leaves it down. */
export async function killAgent({ app, actor, name, traceId }: { app: HiveApp; actor: string; name: string; traceId?: string }) {
  await requireAgentContainer(app, name);
  await withInFlightSlot({ app, agent: name, kind: "stopping", action: "kill", actor, traceId }, async () => {
    await setDesiredState(app.database.db, name, "stopped", actor);
    await app.runtime.killAgent(name, "SIGKILL");
  });
  return loadContainerView(app, name);
}
