"use client";

import type { LiveStatus } from "../queries/use-live-updates";

/** Never stale silently: says whether changes arrive live, and when the shown state is out of date. */
export function LiveIndicator({ status, stale, updatedAt }: { status: LiveStatus; stale: boolean; updatedAt: number }) {
  const label = stale ? "Offline: state not updating" : status === "live" ? "Live" : status === "connecting" ? "Connecting…" : "Live updates lost: reconnecting (polling every 5 s)";
  const tone = stale ? "pill-danger" : status === "live" ? "pill-ok" : "pill-warn";
  return (
    <span className={`pill ${tone} live-pill`} role="status" aria-label={`Live updates: ${label}`} title={`last update ${new Date(updatedAt).toLocaleTimeString()}`}>
      {label}
    </span>
  );
}
