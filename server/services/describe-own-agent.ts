import "server-only";
import type { HiveApp } from "../app";
import { forbidden } from "../errors";
import type { AgentActor } from "../http/auth";
import { toAgentView } from "./list-agents";

/** What the dashboard knows about the calling agent. An agent token acts only as its own agent. */
export async function describeOwnAgent({ app, actor, name }: { app: HiveApp; actor: AgentActor; name: string }) {
  if (name !== actor.agent) throw forbidden(`this token belongs to agent ${actor.agent}, not ${name}`);
  const container = app.runtimeMonitor.status === "up" ? await app.runtime.inspectAgent(name) : null;
  return {
    agent: actor.agent,
    role: actor.role,
    runtime: app.runtimeMonitor.status,
    container: container ? toAgentView(container) : null,
  };
}
