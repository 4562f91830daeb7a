import "server-only";
import type { DbOrTx } from "../../../db/client";
import { stateLogBetween, upsertUptimeBuckets, uptimeWork } from "../../../db/queries/uptime";
import { type BucketFigures, computeBucket, HOUR_MS, hourFloor, type Transition } from "./buckets";

/** One agent's hourly figures over [from, to) from the state log, each hour with whether it is complete. */
export async function computeHours(
  db: DbOrTx,
  agent: string,
  from: Date,
  to: Date,
  watchedUntil: Date | null,
): Promise<(BucketFigures & { hourStart: Date; isComplete: boolean })[]> {
  const start = hourFloor(from);
  if (to <= start) return [];
  const log = await stateLogBetween(db, agent, start, to);
  const transitions: Transition[] = log.within.map((row) => ({ state: row.state, at: row.at }));
  let before: Transition | null = log.before ? { state: log.before.state, at: log.before.at } : null;
  let next = 0;
  const hours = [];
  for (let hour = start.getTime(); hour < to.getTime(); hour += HOUR_MS) {
    const end = hour + HOUR_MS;
    const within: Transition[] = [];
    while (next < transitions.length && transitions[next]!.at.getTime() < end) within.push(transitions[next++]!);
    const figures = computeBucket({ start: new Date(hour), end: new Date(end), before, within, watchedUntil });
    hours.push({ ...figures, hourStart: new Date(hour), isComplete: watchedUntil !== null && watchedUntil.getTime() >= end });
    if (within.length) before = within[within.length - 1]!;
  }
  return hours;
}

/**
 * Materialises every agent's hourly buckets from its first hour not yet complete up to the current one (catching up
 * however long the leader was away), never before `notBefore` (the retention cutoff). Idempotent: a bucket computed
 * again from the same log is the same row. Returns how many buckets it wrote.
 */
export async function materialiseUptime(
  db: DbOrTx,
  input: { now: Date; watchedUntil: Date | null; notBefore: Date; agents?: ReadonlySet<string>; onAgentError?: (agent: string, error: Error) => void },
): Promise<number> {
  let written = 0;
  const to = new Date(hourFloor(input.now).getTime() + HOUR_MS);
  for (const work of await uptimeWork(db)) {
    if (input.agents && !input.agents.has(work.agent)) continue;
    try {
      const from = new Date(Math.max(work.from.getTime(), hourFloor(input.notBefore).getTime()));
      const until = work.goneAt ? new Date(Math.min(to.getTime(), hourFloor(work.goneAt).getTime() + HOUR_MS)) : to;
      const hours = await computeHours(db, work.agent, from, until, input.watchedUntil);
      await upsertUptimeBuckets(
        db,
        hours.map((hour) => ({ agent: work.agent, ...hour, computedAt: input.now })),
      );
      written += hours.length;
    } catch (error) {
      input.onAgentError?.(work.agent, error as Error);
    }
  }
  return written;
}
