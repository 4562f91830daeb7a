"use client";

import { useQuery } from "@tanstack/react-query";
import type { DashboardState } from "@/server/contracts/state";
import { apiFetch } from "./api";
import { dashboardKeys } from "./keys";

export const HEARTBEAT_MS = 5_000;

/** The dashboard's state, refetched on the 5 s heartbeat. */
export function useDashboardStateQuery(initialState: DashboardState) {
  return useQuery({
    queryKey: dashboardKeys.state(),
    queryFn: ({ signal }) => apiFetch<DashboardState>("/api/state", { signal }),
    initialData: initialState,
    refetchInterval: HEARTBEAT_MS,
    refetchIntervalInBackground: false,
    retry: false,
  });
}
