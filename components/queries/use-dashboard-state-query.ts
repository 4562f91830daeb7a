"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef } from "react";
import type { DashboardState } from "@/server/contracts/state";
import { ApiError } from "./api";
import { dashboardKeys } from "./keys";

export const HEARTBEAT_MS = 5_000;
export const IN_FLIGHT_HEARTBEAT_MS = 2_000;

/**
 * The dashboard's state: refetched on the 5 s heartbeat (2 s while any action is in flight) and whenever the
 * live stream announces a change. Conditional requests (ETag) make unchanged refreshes cheap.
 */
export function useDashboardStateQuery(initialState: DashboardState) {
  const queryClient = useQueryClient();
  const etag = useRef<string | null>(null);
  return useQuery({
    queryKey: dashboardKeys.state(),
    queryFn: async ({ signal }) => {
      let response: Response;
      try {
        response = await fetch("/api/state", {
          signal,
          cache: "no-store",
          credentials: "same-origin",
          headers: etag.current ? { "If-None-Match": etag.current } : undefined,
        });
      } catch (error) {
        if ((error as Error).name === "AbortError") throw error;
        throw new ApiError(0, "network_error", "the dashboard server cannot be reached");
      }
      const previous = queryClient.getQueryData<DashboardState>(dashboardKeys.state());
      if (response.status === 304 && previous) {
        const serverTime = response.headers.get("X-Server-Time") ?? new Date().toISOString();
        return { ...previous, serverTime };
      }
      if (response.status === 401) {
        window.location.assign("/login");
        throw new ApiError(401, "unauthorized", "session ended");
      }
      if (!response.ok) {
        const payload = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
        throw new ApiError(response.status, payload?.error?.code ?? "http_error", payload?.error?.message ?? `the server answered ${response.status}`);
      }
      etag.current = response.headers.get("ETag");
      return (await response.json()) as DashboardState;
    },
    initialData: initialState,
    refetchInterval: (query) => (query.state.data?.inFlight ? IN_FLIGHT_HEARTBEAT_MS : HEARTBEAT_MS),
    refetchIntervalInBackground: true,
    retry: false,
  });
}
