import type { DashboardState } from "@/server/contracts/state";
import { appPath } from "../base-path";
import { ApiError } from "./api";

/**
 * The ETag of each state object handed out. A 304 means "the same as the data you hold", so the tag sent must
 * belong to the data the caller holds, never to a response whose body was dropped (a refetch cancelled mid-body).
 */
const etags = new WeakMap<DashboardState, string>();

/**
 * One conditional read of /api/state: `previous` is the state the page shows, and a 304 hands it back with the
 * server's new time. `url` and `fetchImpl` exist for callers outside the browser (the tests).
 */
export async function fetchDashboardState({
  previous,
  signal,
  url = "/api/state",
  fetchImpl = fetch,
}: {
  previous: DashboardState | undefined;
  signal?: AbortSignal;
  url?: string;
  fetchImpl?: typeof fetch;
}): Promise<DashboardState> {
  const held = previous ? etags.get(previous) : undefined;
  let response: Response;
  try {
    response = await fetchImpl(url.startsWith("/") ? appPath(url) : url, {
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
    window.location.assign(appPath("/login"));
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
}
