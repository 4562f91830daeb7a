"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { DashboardState } from "@/server/contracts/state";
import { ApiError } from "./api";
import { dashboardKeys } from "./keys";

export const HEARTBEAT_MS = 5_000;
export const IN_FLIGHT_HEARTBEAT_MS = 2_000;

/**
 * The ETag of each state object the query holds. A 304 means "the same as the data you hold", so the tag sent must
 * belong to the data in the cache, never to a response whose body was dropped (a refetch cancelled mid-body).
 */
const etags = new WeakMap<DashboardState, string>();

/**
 * The dashboard's state: refetched on the 5 s heartbeat (2 s while any action is in flight) and whenever the
 * live stream announces a change. Conditional requests (ETag) make unchanged refreshes cheap.
 */
export function useDashboardStateQuery(initialState: DashboardState) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: dashboardKeys.state(),
    queryFn: async ({ signal }) => {
      const previous = queryClient.getQueryData<DashboardState>(dashboardKeys.state());
      const held = previous ? etags.get(previous) : undefined;
      let response: Response;
      try {
        response = await fetch("/api/state", {
          signal,
          cache: "no-store",
          credentials: "same-origin",
          headers: held ? { "If-None-Match": held } : undefined,
        });
      } catch (error) {
        if ((error as Error).name === "AbortError") throw error;
        throw new ApiError(0, "network_error", "the dashboard server cannot be reached");
      }
      if (response.status === 304 && previous && held) {
        const same = { ...previous, serverTime: response.headers.get("X-Server-Time") ?? new Date().toISOString() };
        etags.set(same, held);
        return same;
      }
      if (response.status === 401) {
        window.location.assign("/login");
        throw new ApiError(401, "unauthorized", "session ended");
      }
      if (!response.ok) {
        const payload = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
        throw new ApiError(response.status, payload?.error?.code ?? "http_error", payload?.error?.message ?? `the server answered ${response.status}`);
      }
      const state = (await response.json()) as DashboardState;
      const tag = response.headers.get("ETag");
      if (tag) etags.set(state, tag);
      return state;
    },
    initialData: initialState,
    refetchInterval: (query) => (query.state.data?.inFlight ? IN_FLIGHT_HEARTBEAT_MS : HEARTBEAT_MS),
    refetchIntervalInBackground: true,
    retry: false,
  });
}
