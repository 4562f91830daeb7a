"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { AgentStatsList, AgentStatsView } from "@/server/contracts/agent-stats";
import { MAX_STATS_AGENTS } from "@/server/contracts/agent-stats";
import { apiFetch } from "./api";
import { statsKeys } from "./keys";

/** How often the rows on screen are read (the server shares a reading for 2 s between pages). */
export const STATS_INTERVAL_MS = 5_000;
/** How far back a row's sparkline goes. */
export const STATS_HISTORY_MS = 5 * 60_000;

export type StatsPoint = { at: number; cpuPercent: number | null; memoryBytes: number | null };
export type AgentStatsState = { latest: ReadonlyMap<string, AgentStatsView>; history: ReadonlyMap<string, StatsPoint[]> };

/**
 * The resource use of the agents whose rows are on screen (running ones only), read every few seconds while the tab is
 * visible, with a short history of each for its sparkline. Agents scrolled away are not read.
 */
export function useAgentStatsQuery(visibleRunning: readonly string[], enabled: boolean): AgentStatsState {
  const names = visibleRunning.slice(0, MAX_STATS_AGENTS);
  const { data } = useQuery({
    queryKey: statsKeys.visible(names),
    queryFn: ({ signal }) =>
      apiFetch<AgentStatsList>(`/api/agent-stats?names=${encodeURIComponent([...names].sort().join(","))}`, { signal }),
    enabled: enabled && names.length > 0,
    refetchInterval: STATS_INTERVAL_MS,
    refetchIntervalInBackground: false,
    retry: false,
  });
  const [state, setState] = useState<AgentStatsState>({ latest: new Map(), history: new Map() });
  useEffect(() => {
    if (!data) return;
    setState((current) => {
      const latest = new Map(current.latest);
      const history = new Map(current.history);
      const cutoff = Date.now() - STATS_HISTORY_MS;
      for (const view of data.stats) {
        latest.set(view.name, view);
        if (view.status !== "ok" || !view.at) continue;
        const at = Date.parse(view.at);
        const points = (history.get(view.name) ?? []).filter((point) => point.at >= cutoff && point.at < at);
        history.set(view.name, [...points, { at, cpuPercent: view.cpuPercent, memoryBytes: view.memoryBytes }]);
      }
      return { latest, history };
    });
  }, [data]);
  return state;
}
