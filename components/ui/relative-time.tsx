"use client";

import { formatAge } from "./format";
import { useServerNow } from "./server-clock";

/** "4m ago", with the exact time in a tooltip and a machine-readable <time>. */
export function RelativeTime({ iso, suffix = " ago" }: { iso: string | null; suffix?: string }) {
  const now = useServerNow();
  if (!iso) return <span className="muted">—</span>;
  const at = Date.parse(iso);
  return (
    <time dateTime={iso} title={new Date(at).toLocaleString()}>
      {formatAge(now - at)}
      {suffix}
    </time>
  );
}
