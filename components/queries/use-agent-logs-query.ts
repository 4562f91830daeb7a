"use client";

import { useQuery } from "@tanstack/react-query";
import type { AgentLogsView, LogSource } from "@/server/contracts/journal";
import { apiFetch } from "./api";
import { logKeys } from "./keys";

/**
 * The last lines of an agent's log, with stamps (the viewer's cursor for following). Fetched only while enabled
 * (the viewer is open), again on refresh; never in the background, which would reset what the operator reads.
 */
export function useAgentLogsQuery({ name, lines, source, enabled }: { name: string; lines: number; source: LogSource; enabled: boolean }) {
  return useQuery({
    queryKey: logKeys.tail(name, lines, source),
    queryFn: ({ signal }) =>
      apiFetch<AgentLogsView>(`/api/agents/${encodeURIComponent(name)}/logs?lines=${lines}&source=${source}&timestamps=true`, { signal }),
    enabled,
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 0,
    retry: false,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });
}
