import "server-only";
import type { DbOrTx } from "../../../db/client";
import { readUptimeWatch, uptimeBuckets } from "../../../db/queries/uptime";
import { type UptimeWindow, UPTIME_WINDOWS } from "../../../contracts/uptime";
import { type BucketFigures, HOUR_MS, hourFloor } from "./buckets";
import { computeHours } from "./materialise";

export type Hour = BucketFigures & { hourStart: Date };

/** The hours a window covers: the current hour and the ones before it, `[from, to)` on hour boundaries. */
export function windowHours(window: UptimeWindow, now: Date): { from: Date; to: Date } {
  const to = new Date(hourFloor(now).getTime() + HOUR_MS);
  return { from: new Date(to.getTime() - UPTIME_WINDOWS[window] * HOUR_MS), to };
}

/**
 * An agent's hours over [from, to): complete buckets as the worker stored them, and from the first hour that is not
 * (the current one, or all of them before the worker has caught up) computed from the log as the worker would.
 */
export async function agentHours(db: DbOrTx, agent: string, from: Date, to: Date): Promise<Hour[]> {
  const stored = await uptimeBuckets(db, agent, from, to);
  const complete = new Map(stored.filter((bucket) => bucket.isComplete).map((bucket) => [bucket.hourStart.getTime(), bucket]));
  let firstMissing = from.getTime();
  while (firstMissing < to.getTime() && complete.has(firstMissing)) firstMissing += HOUR_MS;
  const live = firstMissing < to.getTime() ? await computeHours(db, agent, new Date(firstMissing), to, await readUptimeWatch(db)) : [];
  const hours: Hour[] = [];
  for (let hour = from.getTime(); hour < firstMissing; hour += HOUR_MS) {
    const bucket = complete.get(hour)!;
    hours.push({ hourStart: bucket.hourStart, secondsUp: bucket.secondsUp, secondsKnown: bucket.secondsKnown, secondsStopped: bucket.secondsStopped });
  }
  for (const hour of live) hours.push({ hourStart: hour.hourStart, secondsUp: hour.secondsUp, secondsKnown: hour.secondsKnown, secondsStopped: hour.secondsStopped });
  return hours;
}
