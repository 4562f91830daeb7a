"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { DashboardState } from "@/server/contracts/state";
import { fetchDashboardState } from "./fetch-dashboard-state";
import { dashboardKeys } from "./keys";

export const HEARTBEAT_MS = 5_000;
export const IN_FLIGHT_HEARTBEAT_MS = 2_000;

/**
 * The dashboard's state: refetched on the 5 s heartbeat (2 s while any action is in flight) and whenever the
 * live stream announces a change. Conditional requests (ETag) make unchanged refreshes cheap.
 */
export function useDashboardStateQuery(initialState: DashboardState) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: dashboardKeys.state(),
    queryFn: ({ signal }) => fetchDashboardState({ previous: queryClient.getQueryData<DashboardState>(dashboardKeys.state()), signal }),
    initialData: initialState,
    refetchInterval: (query) => (query.state.data?.inFlight ? IN_FLIGHT_HEARTBEAT_MS : HEARTBEAT_MS),
    refetchIntervalInBackground: true,
    retry: false,
  });
}
