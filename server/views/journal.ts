import "server-only";
import { formatNanos, type LogCursor } from "../contracts/journal";

/** The engine's `since` for a point in time, to the nanosecond ("1700000000.123456789"). */
export function engineSince(nanos: bigint): string {
  const seconds = nanos / 1_000_000_000n;
  return `${seconds}.${(nanos % 1_000_000_000n).toString().padStart(9, "0")}`;
}

/**
 * The cursor after a read: the one its lines give, or with no stamped lines, a point safely before the read: nothing
 * was there, so whatever the engine has from then on is new.
 */
export function cursorAfter(found: LogCursor | null, readStartedAtMs: number): LogCursor {
  return found ?? { after: formatNanos(BigInt(readStartedAtMs - 5_000) * 1_000_000n), count: 0 };
}

/** Drops the first `count` lines of a follow from the cursor: the reader has them already. */
export function resumeFilter(count: number): () => boolean {
  let skip = count;
  return () => {
    if (skip === 0) return true;
    skip--;
    return false;
  };
}
