import "server-only";
import type { AgentRow } from "../../db/queries/agents";
import { GONE_REASON } from "../../db/queries/uptime";
import { type AgentContainer, isUnreachable, isUp } from "../../runtime/types";

export type RunState = "running" | "stopped" | "crashed" | "unknown";
export type ObservedRunState = { state: RunState; reason: string; since: string | null };

/**
 * What an agent's run state is as the dashboard sees it now, and since when the engine says so (null: now). An
 * operator's stop, or any action in flight (a restart's brief stop), is "stopped", never downtime; a stop while the
 * agent should run is "crashed"; an engine or node out of reach is "unknown". Null: nothing to log.
 */
export function observedRunState(input: {
  engineUp: boolean;
  container: AgentContainer | undefined;
  agent: AgentRow | undefined;
  actionInFlight: boolean;
}): ObservedRunState | null {
  const { container, agent } = input;
  if (agent?.destroyedAt || (!agent && !container)) return { state: "stopped", reason: GONE_REASON, since: null };
  if (!input.engineUp) return { state: "unknown", reason: "engine_down", since: null };
  if (container && isUnreachable(container.state)) return { state: "unknown", reason: "node_unreachable", since: null };
  if (container && isUp(container.state)) return { state: "running", reason: "observed", since: container.startedAt };
  const since = container?.finishedAt ?? null;
  if (input.actionInFlight) return { state: "stopped", reason: "operator_action", since };
  if (agent?.desiredState === "stopped") return { state: "stopped", reason: "operator_stop", since };
  return { state: "crashed", reason: container ? "observed" : "missing", since };
}
