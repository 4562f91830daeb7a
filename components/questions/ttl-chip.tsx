"use client";

import { formatCountdown } from "../ui/format";
import { useServerNow } from "../ui/server-clock";

/** `⏳ 4m 05s` until the question expires, on the server's clock; urgent under a minute. */
export function TtlChip({ deadlineAt }: { deadlineAt: string }) {
  const now = useServerNow();
  const remaining = Date.parse(deadlineAt) - now;
  const text = remaining > 0 ? formatCountdown(remaining) : "expiring…";
  const urgent = remaining < 60_000;
  return (
    <span className={`ttl-chip${urgent ? " urgent" : ""}`} role="timer" aria-label={remaining > 0 ? `expires in ${text}` : "expiring now"}>
      <span aria-hidden="true">⏳</span> {text}
    </span>
  );
}
