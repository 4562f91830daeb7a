import "server-only";

/**
 * Docker's log cursor: read on from `after` (nanoseconds since the epoch; the engine's `since` is inclusive) and skip
 * the first `count` lines, which the reader holds already. (Not simply "after the last stamp": the engine stamps
 * stdout and stderr apart, so a line written later may carry a slightly earlier stamp.) Written "d1.<after>.<count>".
 */
export type DockerCursor = { afterNanos: bigint; count: number };

const CURSOR = /^d1\.(\d{1,20})\.(\d{1,6})$/;

export const encodeCursor = ({ afterNanos, count }: DockerCursor) => `d1.${afterNanos}.${count}`;

export function decodeCursor(text: string): DockerCursor | null {
  const match = CURSOR.exec(text);
  return match ? { afterNanos: BigInt(match[1]!), count: Number(match[2]) } : null;
}

/** The engine's `since` for a point in time, to the nanosecond ("1700000000.123456789"). */
export function engineSince(nanos: bigint): string {
  const seconds = nanos / 1_000_000_000n;
  return `${seconds}.${(nanos % 1_000_000_000n).toString().padStart(9, "0")}`;
}

const STAMP_PARTS = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A stamp as the millisecond of its whole second (since the epoch) and the nanoseconds past it: two plain numbers,
 * compared without BigInt (a cursor looks at every line of a read).
 */
type StampParts = { secondMs: number; ns: number };

/** The parts of an RFC 3339 stamp; null when it is not one. `seconds` keeps the whole seconds already parsed. */
function stampParts(stamp: string, seconds?: Map<string, number>): StampParts | null {
  const match = STAMP_PARTS.exec(stamp);
  if (!match) return null;
  const second = `${match[1]}${match[3]}`;
  let secondMs = seconds?.get(second);
  if (secondMs === undefined) {
    secondMs = Date.parse(second);
    if (seconds && seconds.size > 1_000) seconds.clear();
    seconds?.set(second, secondMs);
  }
  if (Number.isNaN(secondMs)) return null;
  return { secondMs, ns: match[2] ? Number(match[2].padEnd(9, "0")) : 0 };
}

const isBefore = (a: StampParts, b: StampParts) => a.secondMs < b.secondMs || (a.secondMs === b.secondMs && a.ns < b.ns);
const toNanos = (parts: StampParts) => BigInt(parts.secondMs) * 1_000_000n + BigInt(parts.ns);

/** Nanoseconds since the epoch of an RFC 3339 stamp; null when it is not one. */
export function timestampNanos(stamp: string): bigint | null {
  const parts = stampParts(stamp);
  return parts && toNanos(parts);
}

/** How far back from the newest line a cursor starts: far more than the engine's stdout/stderr stamp skew. */
const CURSOR_OVERLAP_MS = 1_000;
/** Stamps kept before the ones too old to count are dropped (a follow may run for days). */
const PRUNE_AT = 4_096;

/**
 * The cursor after a reader's lines (a contiguous stretch of the log, oldest first), gathered line by line so that a
 * streamed read parses each stamp as it passes: a second before the newest stamp (but not before the oldest line
 * held), and how many of the lines are stamped from then on.
 */
export class CursorBuilder {
  private readonly seconds = new Map<string, number>();
  private first: StampParts | null = null;
  private newest: StampParts | null = null;
  private recent: StampParts[] = [];
  private pruneAt = PRUNE_AT;

  add(timestamp: string | null): void {
    const stamp = timestamp ? stampParts(timestamp, this.seconds) : null;
    if (!stamp) return;
    this.first ??= stamp;
    if (!this.newest || isBefore(this.newest, stamp)) this.newest = stamp;
    this.recent.push(stamp);
    if (this.recent.length >= this.pruneAt) {
      // Stamps before the overlap never count again: the overlap only moves on. A burst keeps most of them (all
      // in its last second), so the next prune waits until the kept ones have doubled: never a prune per line.
      const overlap = this.overlap(this.newest);
      this.recent = this.recent.filter((entry) => !isBefore(entry, overlap));
      this.pruneAt = Math.max(PRUNE_AT, this.recent.length * 2);
    }
  }

  private overlap(newest: StampParts): StampParts {
    return { secondMs: newest.secondMs - CURSOR_OVERLAP_MS, ns: newest.ns };
  }

  /** The cursor, or null when no line had a stamp. */
  cursor(): DockerCursor | null {
    const { newest, first } = this;
    if (!newest || !first) return null;
    const overlap = this.overlap(newest);
    const from = isBefore(first, overlap) ? overlap : first;
    let count = 0;
    for (const stamp of this.recent) if (!isBefore(stamp, from)) count++;
    return { afterNanos: toNanos(from), count };
  }
}

/** Drops the first `count` lines of a follow from a cursor: the reader has them already. */
export function resumeFilter(count: number): () => boolean {
  let skip = count;
  return () => {
    if (skip === 0) return true;
    skip--;
    return false;
  };
}
