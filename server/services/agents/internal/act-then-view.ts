import "server-only";
import type { HiveContext } from "../../../context";
import type { ContainerView } from "../../../contracts/containers";
import { type AgentRow, findAgent, setDesiredState } from "../../../db/queries/agents";
import { type CrashSummary, crashSummaryOf } from "../../../db/queries/crashes";
import { type SlotRequest, withInFlightSlot } from "../../../in-flight/with-in-flight-slot";
import { HiveError } from "../../../errors";
import { measure } from "../../../log";
import { type AgentContainer, isUp, type LifecycleOutcome } from "../../../runtime/types";
import { buildContainerViews } from "../../../views/containers";
import { toAgentView } from "../../shared/agent-view";
import { withEngineDeadline } from "../../shared/engine-deadline";
import { requireRuntime } from "../../shared/require-runtime";

export const CRASH_WINDOW_MS = 10 * 60_000;
export const DEFAULT_STOP_TIMEOUT_SECONDS = 10;

/**
 * Runs a lifecycle action in the agent's slot and answers with the agent's view. Before the engine is asked, the
 * desired state is written and the agent's crash summary read (an action does not change it); after it, only
 * the engine is asked (for the view), while the slot is released and `notice` (the inbox note) is written.
 */
export async function actThenView(
  ctx: HiveContext,
  /** `graceSeconds`: how long the engine may legitimately wait for the agent to stop, beyond the action timeout. */
  request: SlotRequest & { desiredState: "running" | "stopped"; graceSeconds?: number },
  engineCall: () => Promise<LifecycleOutcome | void>,
  notice?: () => Promise<void>,
): Promise<ContainerView | null> {
  const { agent, desiredState, actor } = request;
  const db = ctx.db;
  let view: Promise<ContainerView | null> | undefined;
  await withInFlightSlot(ctx, request, async () => {
    // The desired state is written before the engine is asked: a database that fails here means the action did not
    // happen at all, never that the engine acted while the operator's intent went unrecorded.
    const [row, crash] = await measure("desired", () =>
      Promise.all([setDesiredState(db, agent, desiredState, actor), crashSummaryOf(db, agent, new Date(Date.now() - CRASH_WINDOW_MS))]),
    );
    const since = performance.now();
    const sinceWall = Date.now();
    const outcome = await measure("engine", () => withEngineDeadline(ctx, request.action, engineCall, request.graceSeconds));
    // The outcome is a run that began (or ended) after the call went out, not the state it found; unless the engine
    // said nothing happened (already running, already stopped): then any look that shows that state will do.
    const unchanged = outcome === "unchanged";
    const expected = (container: AgentContainer) => {
      if (isUp(container.state) !== (desiredState === "running")) return false;
      const changedAt = isUp(container.state) ? container.startedAt : container.finishedAt;
      return unchanged || (changedAt !== null && Date.parse(changedAt) >= sinceWall);
    };
    view = measure("view", () => buildOneView(ctx, agent, { row, crash, since: unchanged ? 0 : since, expected }));
    view.catch(() => undefined); // awaited below, once the slot is released
  });
  const [agentView] = await Promise.all([view!, notice && measure("notice", notice)]);
  return agentView;
}

/** The engine must know the agent (by label) before anything is done to it. */
export async function requireAgentContainer(ctx: HiveContext, name: string) {
  const runtime = requireRuntime(ctx);
  const known = ctx.fleet.current()?.find((container) => container.name === name);
  const container = known ?? (await measure("check", () => runtime.inspectAgent(name)));
  if (!container) throw new HiveError("agent_not_found", `no agent container named ${name}`);
  return container;
}

/** The one agent's row as the dashboard shows it now (after an action). */
export async function loadContainerView(ctx: HiveContext, name: string): Promise<ContainerView | null> {
  return measure("view", () => buildOneView(ctx, name));
}

/** How long an action's answer waits for the engine's events to show its outcome before it asks the engine. */
const EVENT_WAIT_MS = 25;

type KnownForView = {
  row: AgentRow | undefined;
  crash: CrashSummary | undefined;
  /** When the action's engine call began, and what its outcome looks like: the events stream may show it first. */
  since: number;
  expected: (container: AgentContainer) => boolean;
};

async function buildOneView(ctx: HiveContext, name: string, known?: KnownForView) {
  const now = new Date();
  const [container, row, crash] = await Promise.all([
    lookAtAgent(ctx, name, known),
    known ? known.row : findAgent(ctx.db, name),
    known ? known.crash : crashSummaryOf(ctx.db, name, new Date(now.getTime() - CRASH_WINDOW_MS)),
  ]);
  if (!container) return null;
  // Called once the action released its slot: any other in-flight action shows on the next refresh.
  const [view] = buildContainerViews({
    containers: [toAgentView(container)],
    agents: row ? [row] : [],
    transients: [],
    crashes: crash ? [crash] : [],
    now,
  });
  return view ?? null;
}

async function lookAtAgent(ctx: HiveContext, name: string, known?: KnownForView): Promise<AgentContainer | null> {
  if (known && ctx.fleet.current()) {
    const seen = await ctx.fleet.lookSince(name, known.since, known.expected, EVENT_WAIT_MS);
    if (seen) return seen;
  }
  const lookedAt = performance.now();
  const container = await measure("inspect", () => ctx.runtime.inspectAgent(name));
  ctx.fleet.update(name, container, lookedAt);
  return container;
}
