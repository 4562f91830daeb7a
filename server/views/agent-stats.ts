import "server-only";
import { type AgentStatsView, isNearOom } from "../contracts/agent-stats";
import type { AgentStatsSample } from "../runtime/types";

/** Readings further apart than this are not differenced (the agent may have restarted between them). */
const MAX_CPU_WINDOW_MS = 120_000;

/**
 * CPU use between two readings, as a percentage of one CPU: the agent's CPU time over the machine's (times its CPUs)
 * when the engine gives the machine's, else over the wall time between them. Null without a usable earlier reading.
 */
export function cpuPercentBetween(previous: AgentStatsSample | null, current: AgentStatsSample): number | null {
  if (!previous) return null;
  const wallMs = Date.parse(current.at) - Date.parse(previous.at);
  const used = current.cpuTotalNanos - previous.cpuTotalNanos;
  if (!(wallMs > 0) || wallMs > MAX_CPU_WINDOW_MS || used < 0) return null;
  if (current.systemCpuNanos !== null && previous.systemCpuNanos !== null && current.systemCpuNanos > previous.systemCpuNanos) {
    return (used / (current.systemCpuNanos - previous.systemCpuNanos)) * current.onlineCpus * 100;
  }
  return (used / (wallMs * 1e6)) * 100;
}

export function buildAgentStatsView(name: string, current: AgentStatsSample, previous: AgentStatsSample | null): AgentStatsView {
  return {
    name,
    status: "ok",
    at: current.at,
    cpuPercent: cpuPercentBetween(previous, current),
    memoryBytes: current.memoryBytes,
    memoryLimitBytes: current.memoryLimitBytes,
    nearOom: isNearOom(current.memoryBytes, current.memoryLimitBytes),
    network: current.network,
    reason: null,
  };
}

export const statsWithout = (name: string, status: "not_running" | "unavailable", reason: string | null = null): AgentStatsView => ({
  name,
  status,
  at: null,
  cpuPercent: null,
  memoryBytes: null,
  memoryLimitBytes: null,
  nearOom: false,
  network: null,
  reason,
});
