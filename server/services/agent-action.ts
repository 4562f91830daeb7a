import "server-only";
import type { HiveApp } from "../app";
import type { ContainerView } from "../contracts/containers";
import { type AgentRow, findAgent, setDesiredState } from "../db/queries/agents";
import { type CrashSummary, crashSummaryOf } from "../db/queries/crashes";
import { notifyChange, publishEvent } from "../db/queries/events";
import { claimTransient, releaseTransient, type TransientKind } from "../db/queries/transients";
import { HiveError } from "../errors";
import { measure } from "../log";
import { isUp } from "../runtime/status-line";
import type { AgentContainer, LifecycleOutcome } from "../runtime/types";
import { newId } from "../security/tokens";
import { buildContainerViews } from "../views/containers";
import { toAgentView } from "./list-agents";
import { requireRuntime } from "./require-runtime";

export const TRANSIENT_DEADLINE_MS: Record<TransientKind, number> = {
  spawning: 2 * 60_000,
  starting: 2 * 60_000,
  stopping: 2 * 60_000,
  restarting: 2 * 60_000,
  destroying: 2 * 60_000,
  rebuilding: 10 * 60_000,
};

export const CRASH_WINDOW_MS = 10 * 60_000;

export type ActionRequest = {
  app: HiveApp;
  agent: string;
  kind: TransientKind;
  /** The verb shown to operators and written to events: "restart", "kill", ... */
  action: string;
  actor: string;
  traceId?: string;
};

/**
 * Resolves after this turn's I/O: a request begun now has been written to its socket. The embedded database runs
 * its statements on this thread, so statements issued beside an engine call would otherwise hold the call back.
 */
const requestsSent = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Per agent, this process's last action on it: "held" while it holds the in-flight slot (the database row says so to
 * every replica), then when it released the slot (Date.now()).
 */
const slots = new WeakMap<HiveApp, Map<string, "held" | number>>();
/** Released slots older than this are forgotten once the map grows past `SLOTS_KEPT`. */
const RELEASED_KEPT_MS = 60_000;
const SLOTS_KEPT = 1_000;

function slotsOf(app: HiveApp) {
  return slots.get(app) ?? slots.set(app, new Map()).get(app)!;
}

/** Whether this process is acting on the agent: a stop it sees meanwhile is its own doing, no need to ask the database. */
export function holdsSlot(app: HiveApp, agent: string): boolean {
  return slots.get(app)?.get(agent) === "held";
}

/** When this process last released the agent's slot (Date.now()); undefined while it holds it or never did lately. */
export function slotReleasedAt(app: HiveApp, agent: string): number | undefined {
  const slot = slots.get(app)?.get(agent);
  return typeof slot === "number" ? slot : undefined;
}

function markReleased(app: HiveApp, agent: string) {
  const held = slotsOf(app);
  const now = Date.now();
  held.set(agent, now);
  if (held.size <= SLOTS_KEPT) return;
  for (const [name, slot] of held) if (slot !== "held" && slot < now - RELEASED_KEPT_MS) held.delete(name);
}

/**
 * Runs an action while holding the agent's in-flight slot, so a second action on the same agent (another
 * operator, a double click, the recovery loop) gets 409 action_in_flight instead of running too.
 */
export async function withInFlightSlot<T>(request: ActionRequest, work: () => Promise<T>): Promise<T> {
  const { app, agent, kind, action, actor } = request;
  const db = app.database.db;
  const claim = await measure("slot", () => claimTransient(db, {
    agent,
    id: newId("act"),
    kind,
    action,
    startedBy: actor,
    deadlineAt: new Date(Date.now() + TRANSIENT_DEADLINE_MS[kind]),
    ownerInstance: app.instanceId,
    traceId: request.traceId ?? null,
  }));
  if (!claim.claimed) {
    const holder = claim.holder;
    throw new HiveError(
      "action_in_flight",
      holder
        ? `${holder.action} of ${agent} is already in progress (started by ${holder.startedBy} at ${holder.startedAt.toISOString()})`
        : `another action on ${agent} is in progress`,
      holder ? { action: holder.action, startedBy: holder.startedBy, startedAt: holder.startedAt.toISOString() } : undefined,
    );
  }
  slotsOf(app).set(agent, "held");
  const working = measure("work", work);
  // Other dashboards hear of the pill while the engine works; the announcement need not precede the call.
  const started = requestsSent()
    .then(() => notifyChange(db, { kind: "action_started", agent }))
    .catch((error: Error) => app.logger.warn({ agent, err: error.message }, "could not announce the action"));
  let failed: unknown;
  try {
    return await working;
  } catch (error) {
    failed = error;
    throw error;
  } finally {
    await started;
    markReleased(app, agent);
    // Success only tells other dashboards to refresh, in the statement that frees the slot.
    const finished = failed ? undefined : { kind: "action_finished", agent };
    await measure("release", () => releaseTransient(db, agent, claim.row.id, finished)).catch((error: Error) =>
      app.logger.error({ agent, err: error.message }, "could not release the in-flight slot; the reclaimer will"),
    );
    if (failed) {
      // A failure is part of the record: it is in the activity feed before the caller hears of it.
      await publishEvent(db, { kind: "action_failed", agent, actor, detail: { action, error: (failed as Error).message } }).catch(() => undefined);
    }
  }
}

/**
 * Runs a lifecycle action in the agent's slot and answers with the agent's view. While the engine works, the
 * desired state is written and the agent's crash summary read (an action does not change it); after it, only
 * the engine is asked (for the view), while the slot is released and `notice` (the inbox note) is written.
 */
export async function actThenView(
  request: ActionRequest & { desiredState: "running" | "stopped" },
  engineCall: () => Promise<LifecycleOutcome | void>,
  notice?: () => Promise<void>,
): Promise<ContainerView | null> {
  const { app, agent, desiredState, actor } = request;
  const db = app.database.db;
  let view: Promise<ContainerView | null> | undefined;
  await withInFlightSlot(request, async () => {
    const since = performance.now();
    const sinceWall = Date.now();
    // The engine call goes out first; the database work runs while the engine works.
    const [outcome, [row, crash]] = await Promise.all([
      measure("engine", engineCall),
      requestsSent().then(() =>
        Promise.all([setDesiredState(db, agent, desiredState, actor), crashSummaryOf(db, agent, new Date(Date.now() - CRASH_WINDOW_MS))]),
      ),
    ]);
    // The outcome is a run that began (or ended) after the call went out, not the state it found; unless the engine
    // said nothing happened (already running, already stopped): then any look that shows that state will do.
    const unchanged = outcome === "unchanged";
    const expected = (container: AgentContainer) => {
      if (isUp(container.state) !== (desiredState === "running")) return false;
      const changedAt = isUp(container.state) ? container.startedAt : container.finishedAt;
      return unchanged || (changedAt !== null && Date.parse(changedAt) >= sinceWall);
    };
    view = measure("view", () => buildOneView(app, agent, { row, crash, since: unchanged ? 0 : since, expected }));
    view.catch(() => undefined); // awaited below, once the slot is released
  });
  const [agentView] = await Promise.all([view!, notice && measure("notice", notice)]);
  return agentView;
}

/** The engine must know the agent (by label) before anything is done to it. */
export async function requireAgentContainer(app: HiveApp, name: string) {
  const runtime = requireRuntime(app);
  const known = app.fleet.current()?.find((container) => container.name === name);
  const container = known ?? (await measure("check", () => runtime.inspectAgent(name)));
  if (!container) throw new HiveError("agent_not_found", `no agent container named ${name}`);
  return container;
}

/** The one agent's row as the dashboard shows it now (after an action). */
export async function loadContainerView(app: HiveApp, name: string): Promise<ContainerView | null> {
  return measure("view", () => buildOneView(app, name));
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

async function buildOneView(app: HiveApp, name: string, known?: KnownForView) {
  const db = app.database.db;
  const now = new Date();
  const [container, row, crash] = await Promise.all([
    lookAtAgent(app, name, known),
    known ? known.row : findAgent(db, name),
    known ? known.crash : crashSummaryOf(db, name, new Date(now.getTime() - CRASH_WINDOW_MS)),
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

async function lookAtAgent(app: HiveApp, name: string, known?: KnownForView): Promise<AgentContainer | null> {
  if (known && app.fleet.current()) {
    const seen = await app.fleet.lookSince(name, known.since, known.expected, EVENT_WAIT_MS);
    if (seen) return seen;
  }
  const lookedAt = performance.now();
  const container = await measure("inspect", () => app.runtime.inspectAgent(name));
  app.fleet.update(name, container, lookedAt);
  return container;
}
