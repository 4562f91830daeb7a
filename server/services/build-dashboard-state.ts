import "server-only";
import type { HiveApp } from "../app";
import type { DashboardState } from "../contracts/state";
import { listAgentRows } from "../db/queries/agents";
import { crashSummaries } from "../db/queries/crashes";
import { recentEvents } from "../db/queries/events";
import { listTransients } from "../db/queries/transients";
import type { OperatorActor } from "../http/auth";
import { VERSION } from "../version";
import { buildActivityViews } from "../views/activity";
import { anyInFlight, buildContainerViews, buildSpawningViews } from "../views/containers";
import { CRASH_WINDOW_MS } from "./agent-action";
import { toAgentView } from "./list-agents";

/** The page's whole state: one engine list call and a few indexed queries, run together, then pure builders. */
export async function buildDashboardState({ app, actor }: { app: HiveApp; actor: OperatorActor }): Promise<DashboardState> {
  const db = app.database.db;
  const now = new Date();
  const engineUp = app.runtimeMonitor.status === "up";
  const [listed, agents, transients, crashes, events] = await Promise.all([
    engineUp
      ? app.runtime.listAgents().then(
          (containers) => ({ containers, error: null }),
          (error: Error) => ({ containers: null, error: error.message }),
        )
      : Promise.resolve({ containers: null, error: null }),
    listAgentRows(db),
    listTransients(db),
    crashSummaries(db, new Date(now.getTime() - CRASH_WINDOW_MS)),
    recentEvents(db, 80),
  ]);
  if (listed.containers) app.fleet.observe(listed.containers);
  else if (listed.error) app.runtimeMonitor.reportFailure();
  const containerViews = listed.containers?.map(toAgentView) ?? null;
  return {
    serverTime: now.toISOString(),
    version: VERSION,
    operator: actor.name,
    authMode: app.config.auth.mode,
    runtime: app.runtimeMonitor.snapshot(),
    containers: containerViews ? buildContainerViews({ containers: containerViews, agents, transients, crashes, now }) : null,
    containersError: listed.error,
    spawning: buildSpawningViews({ containers: containerViews ?? [], transients, now }),
    inFlight: anyInFlight(transients),
    activity: buildActivityViews(events, 30),
  };
}
