"use client";

import { useQuery } from "@tanstack/react-query";
import type { AgentUptimeHistory, FleetUptime } from "@/server/contracts/uptime";
import { apiFetch } from "./api";
import { uptimeKeys } from "./keys";

/**
 * Every agent's 24 h uptime, one request for the whole table (a read of stored buckets). The worker writes a changed
 * agent's figure at its next look (5 s), so a 10 s refresh shows a new agent's within seconds, not after a minute.
 */
export function useFleetUptimeQuery() {
  return useQuery({
    queryKey: uptimeKeys.fleet("24h"),
    queryFn: ({ signal }) => apiFetch<FleetUptime>("/api/uptime?window=24h", { signal }),
    refetchInterval: 10_000,
    staleTime: 5_000,
  });
}

export function useUptimeHistoryQuery(agent: string, window: "24h" | "30d", granularity: "hourly" | "daily") {
  return useQuery({
    queryKey: uptimeKeys.history(agent, window, granularity),
    queryFn: ({ signal }) =>
      apiFetch<AgentUptimeHistory>(`/api/agents/${encodeURIComponent(agent)}/uptime/history?window=${window}&granularity=${granularity}`, { signal }),
    refetchInterval: 60_000,
  });
}
