import "server-only";
import type { UptimeFigures } from "../../../contracts/uptime";

export type RunState = "running" | "stopped" | "crashed" | "unknown";
export type Transition = { state: RunState; at: Date };
export type BucketFigures = { secondsUp: number; secondsKnown: number; secondsStopped: number };

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export function hourFloor(at: Date | number): Date {
  const ms = typeof at === "number" ? at : at.getTime();
  return new Date(ms - (((ms % HOUR_MS) + HOUR_MS) % HOUR_MS));
}

/**
 * One period's figures from the state log: `before` is the last transition at or before `start` (none: unknown),
 * `within` the ones inside, in order. Time past `watchedUntil` is unknown (the observer is not known to be looking),
 * so is time in "unknown"; "stopped" counts apart from both up and known.
 */
export function computeBucket(input: { start: Date; end: Date; before: Transition | null; within: Transition[]; watchedUntil: Date | null }): BucketFigures {
  const start = input.start.getTime();
  const end = Math.min(input.end.getTime(), input.watchedUntil?.getTime() ?? start);
  const ms = { up: 0, down: 0, stopped: 0 };
  let state: RunState = input.before?.state ?? "unknown";
  let from = start;
  const close = (until: number) => {
    const span = Math.max(0, Math.min(until, end) - from);
    if (state === "running") ms.up += span;
    else if (state === "crashed") ms.down += span;
    else if (state === "stopped") ms.stopped += span;
  };
  for (const transition of input.within) {
    const at = Math.max(start, transition.at.getTime());
    if (at >= end) break;
    close(at);
    state = transition.state;
    from = at;
  }
  close(end);
  // Rounded once, on the sums, so that hours of whole-second transitions add up exactly.
  const up = Math.round(ms.up / 1000);
  return { secondsUp: up, secondsKnown: up + Math.round(ms.down / 1000), secondsStopped: Math.round(ms.stopped / 1000) };
}

export function sumFigures(buckets: BucketFigures[]): UptimeFigures {
  const total = { secondsUp: 0, secondsKnown: 0, secondsStopped: 0 };
  for (const bucket of buckets) {
    total.secondsUp += bucket.secondsUp;
    total.secondsKnown += bucket.secondsKnown;
    total.secondsStopped += bucket.secondsStopped;
  }
  return { ...total, uptimePercent: uptimePercent(total.secondsUp, total.secondsKnown) };
}

export function uptimePercent(up: number, known: number): number | null {
  return known > 0 ? Math.round((up / known) * 10_000) / 100 : null;
}
