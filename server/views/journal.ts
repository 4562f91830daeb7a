import "server-only";
import type { LogLine } from "../runtime/types";

const STAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Nanoseconds since the epoch of an RFC 3339 timestamp (the engine's log stamps carry nanoseconds). */
export function timestampNanos(stamp: string): bigint | null {
  const match = STAMP.exec(stamp);
  if (!match) return null;
  const ms = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(ms)) return null;
  return BigInt(ms) * 1_000_000n + BigInt((match[2] ?? "").padEnd(9, "0"));
}

/** The engine's `since` for a point in time, to the nanosecond ("1700000000.123456789"). */
export function engineSince(nanos: bigint): string {
  const seconds = nanos / 1_000_000_000n;
  return `${seconds}.${(nanos % 1_000_000_000n).toString().padStart(9, "0")}`;
}

/** RFC 3339 with nine fraction digits, the engine's own format. */
export function formatNanos(nanos: bigint): string {
  const iso = new Date(Number(nanos / 1_000_000n)).toISOString();
  return `${iso.slice(0, 19)}.${(nanos % 1_000_000_000n).toString().padStart(9, "0")}Z`;
}

/**
 * The cursor after `lines`: the last line's stamp and how many lines at the end share it. With no lines, a point
 * safely before the read (nothing was there, so nothing after it can be a repeat).
 */
export function cursorAfter(lines: LogLine[], readStartedAtMs: number): { after: string; count: number } {
  const last = lines.at(-1)?.timestamp;
  if (!last) return { after: formatNanos(BigInt(readStartedAtMs - 5_000) * 1_000_000n), count: 0 };
  let count = 0;
  for (let index = lines.length - 1; index >= 0 && lines[index]!.timestamp === last; index--) count++;
  return { after: last, count };
}

/**
 * Drops what a reader at the cursor already has: lines stamped before `after`, and the first `count` lines stamped
 * exactly `after` (the engine's `since` is inclusive).
 */
export function resumeFilter(after: string | undefined, count: number): (line: LogLine) => boolean {
  const from = after === undefined ? null : timestampNanos(after);
  let skip = count;
  return (line) => {
    if (from === null || !line.timestamp) return true;
    const at = timestampNanos(line.timestamp);
    if (at === null || at > from) return true;
    if (at < from) return false;
    if (skip > 0) {
      skip--;
      return false;
    }
    return true;
  };
}
