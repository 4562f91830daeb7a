import "server-only";
import type { ServiceCall } from "../../context";
import type { OperatorActor } from "../../contracts/actors";
import type { DashboardState } from "../../contracts/state";
import { measure } from "../../log";
import type { AgentContainer } from "../../runtime/types";
import { VERSION } from "../../version";
import { buildActivityViews } from "../../views/activity";
import { anyInFlight, buildContainerViews, buildSpawningViews } from "../../views/containers";
import { buildQuestionViews } from "../../views/questions";
import { buildApprovalViews } from "../../views/approvals";
import { buildNodeViews } from "../../views/nodes";
import { buildTombstoneViews } from "../../views/tombstones";
import { toAgentView } from "../shared/agent-view";

/** The page's whole state: one engine list call and a few indexed queries, run together, then pure builders. */
export async function buildDashboardState({ ctx }: ServiceCall<void, OperatorActor>): Promise<DashboardState> {
  const engineUp = ctx.engine.status === "up";
  const [listed, snapshot, volumes, nodes] = await Promise.all([
    measure<{ containers: AgentContainer[] | null; error: string | null }>("engine", async () => {
      if (!engineUp) return { containers: null, error: null };
      // The live picture (engine events + reconcile polls) when it is current; the engine itself otherwise.
      const live = ctx.fleet.current();
      if (live) return { containers: live, error: null };
      return ctx.runtime.listAgents().then(
        (containers) => ({ containers, error: null }),
        (error: Error) => ({ containers: null, error: error.message }),
      );
    }),
    measure("db", () => ctx.caches.state.get()),
    engineUp ? measure("volumes", () => ctx.caches.volumes.list().catch(() => null)) : Promise.resolve(null),
    engineUp ? measure("nodes", () => ctx.caches.nodes.list().catch(() => null)) : Promise.resolve(null),
  ]);
  // Taken after the reads: a question asked while they ran must never show more time left than its TTL.
  const now = new Date();
  if (listed.containers) ctx.fleet.absorb(listed.containers);
  else if (listed.error) ctx.engine.reportFailure();
  const { agents, transients, crashes, events } = snapshot;
  const containerViews = listed.containers?.map(toAgentView) ?? null;
  return {
    serverTime: now.toISOString(),
    version: VERSION,
    operator: ctx.actor.name,
    authMode: ctx.config.auth.mode,
    runtime: ctx.engine.snapshot(),
    containers: containerViews ? buildContainerViews({ containers: containerViews, agents, transients, crashes, now }) : null,
    containersError: listed.error,
    spawning: buildSpawningViews({ containers: containerViews ?? [], transients, now }),
    inFlight: anyInFlight(transients),
    activity: buildActivityViews(events, 30),
    questions: buildQuestionViews({ pending: snapshot.pendingQuestions, resolved: snapshot.resolvedQuestions, receipts: snapshot.receipts }),
    approvals: buildApprovalViews({ pending: snapshot.pendingApprovals, decided: snapshot.decidedApprovals }),
    tombstones:
      volumes && listed.containers
        ? buildTombstoneViews({
            volumes,
            containerNames: new Set(listed.containers.map((container) => container.name)),
            agents,
            sizes: ctx.caches.volumes.currentSizes(),
            crashCounts: new Map(crashes.map((crash) => [crash.agent, crash.total])),
            pendingRevivals: new Set(snapshot.pendingApprovals.filter((approval) => approval.kind === "spawn").map((approval) => approval.agent)),
          })
        : null,
    nodes: nodes ? buildNodeViews(nodes, containerViews ?? []) : null,
  };
}
