"use client";

import { appPath } from "../base-path";

/** An error answered by the dashboard's API, in its one shape `{ error: { code, message } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Calls the dashboard's API; `path` is the route's own ("/api/state"), the base path is added here. */
export async function apiFetch<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(appPath(path), {
      method: init.method ?? "GET",
      headers: init.body === undefined ? undefined : { "Content-Type": "application/json" },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiError(0, "network_error", "the dashboard server cannot be reached");
  }
  if (response.status === 304) return undefined as T;
  const text = await response.text();
  let payload: unknown = undefined;
  try {
    payload = text ? JSON.parse(text) : undefined;
  } catch {
    // a non-JSON answer (a proxy's error page, for example) is reported below
  }
  if (!response.ok) {
    const error = (payload as { error?: { code?: string; message?: string } } | undefined)?.error;
    if (response.status === 401 && typeof window !== "undefined" && !path.startsWith("/api/session")) {
      window.location.assign(appPath("/login"));
    }
    throw new ApiError(
      response.status,
      error?.code ?? "http_error",
      error?.message ?? `the server answered ${response.status}`,
      (error ?? {}) as Record<string, unknown>,
    );
  }
  return payload as T;
}
