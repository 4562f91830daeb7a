import "server-only";
import type { HiveApp } from "../app";
import type { DashboardState } from "../contracts/state";
import type { OperatorActor } from "../http/auth";
import { VERSION } from "../version";
import { listAgents } from "./list-agents";

/** The page's whole state. The engine being down is part of the state, not an error. */
export async function buildDashboardState({ app, actor }: { app: HiveApp; actor: OperatorActor }): Promise<DashboardState> {
  let agents: DashboardState["agents"] = null;
  let agentsError: string | null = null;
  if (app.runtimeMonitor.status === "up") {
    try {
      agents = await listAgents({ app });
    } catch (error) {
      agentsError = (error as Error).message;
      app.runtimeMonitor.reportFailure();
    }
  }
  return {
    serverTime: new Date().toISOString(),
    version: VERSION,
    operator: actor.name,
    authMode: app.config.auth.mode,
    runtime: app.runtimeMonitor.snapshot(),
    agents,
    agentsError,
  };
}
