"use client";

import type { RuntimeSnapshot } from "@/server/contracts/health";
import { formatCountdown } from "../ui/format";
import { useServerNow } from "../ui/server-clock";

/** The engine's reachability: up, down (with the last error and the next retry), or not yet checked. */
export function EngineStatus({ runtime }: { runtime: RuntimeSnapshot }) {
  const now = useServerNow();
  if (runtime.status === "up") {
    return (
      <div className="engine-status" role="status" aria-label="Container engine status">
        <span className="pill pill-ok">Engine up</span>
        <span className="detail mono" title={runtime.endpoint}>
          {runtime.endpoint}
        </span>
      </div>
    );
  }
  if (runtime.status === "unknown") {
    return (
      <div className="engine-status" role="status" aria-label="Container engine status">
        <span className="pill pill-muted">Engine: checking…</span>
      </div>
    );
  }
  const retry = runtime.nextRetryAt ? Date.parse(runtime.nextRetryAt) - now : null;
  const error = runtime.lastError ? `${runtime.lastError.code}: ${runtime.lastError.message}` : "unreachable";
  return (
    <div className="engine-status" role="status" aria-label="Container engine status">
      <span className="pill pill-danger">Engine down</span>
      <span className="detail" title={`${runtime.endpoint} — ${error}`}>
        {error}
      </span>
      <span className="muted">
        {runtime.retriesExhausted
          ? "retries exhausted"
          : retry !== null
            ? retry > 0
              ? `retry in ${formatCountdown(retry)}`
              : "retrying…"
            : null}
        {` · ${runtime.consecutiveFailures} failed`}
      </span>
    </div>
  );
}
