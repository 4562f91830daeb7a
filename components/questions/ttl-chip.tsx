"use client";

import { formatCountdown } from "../ui/format";
import { HourglassIcon } from "../ui/icons";
import { useServerNow } from "../ui/server-clock";

/** `4m 05s` (after an hourglass) until the question expires, on the server's clock; urgent under a minute. */
export function TtlChip({ deadlineAt }: { deadlineAt: string }) {
  const now = useServerNow();
  const remaining = Date.parse(deadlineAt) - now;
  const text = remaining > 0 ? formatCountdown(remaining) : "expiring…";
  const urgent = remaining < 60_000;
  return (
    <span className={`ttl-chip${urgent ? " urgent" : ""}`} role="timer" aria-label={remaining > 0 ? `expires in ${text}` : "expiring now"}>
      <HourglassIcon />
      {text}
    </span>
  );
}
