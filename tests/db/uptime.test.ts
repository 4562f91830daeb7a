import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendStateTransitions, purgeUptimeBefore, uptimeBuckets, writeUptimeWatch } from "@/server/db/queries/uptime";
import { agentUptimeHourly } from "@/server/db/schema";
import { sumFigures } from "@/server/services/uptime/internal/buckets";
import { agentHours } from "@/server/services/uptime/internal/hours";
import { materialiseUptime } from "@/server/services/uptime/internal/materialise";
import { DATABASE_KINDS, openFreshDatabase } from "../helpers/databases";

const handles: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const handle of handles) await handle.close();
});

// A scripted day of one agent, on whole seconds from midnight UTC (hours 00-05 watched, the dashboard down 03:00-04:00):
//   00:00 running · 00:40 crashed · 00:50 running (10 min down)
//   01:30 stopped by the operator · 02:15 running (45 min stopped: not downtime)
//   02:59:30 engine down (unknown) · 03:00 running again, seen at a look
//   03:20 the dashboard stops watching; back at 04:10 (50 min unknown, by the observer's gap row)
//   04:10 running · 04:30 crashed · 05:00 running, watched until 06:00
const DAY = Date.UTC(2026, 10, 2);
const at = (hhmmss: string) => {
  const [h, m, s = "0"] = hhmmss.split(":");
  return new Date(DAY + (Number(h) * 3600 + Number(m) * 60 + Number(s)) * 1000);
};
const SCRIPT: [string, "running" | "stopped" | "crashed" | "unknown", string][] = [
  ["00:00", "running", "observed"],
  ["00:40", "crashed", "observed"],
  ["00:50", "running", "observed"],
  ["01:30", "stopped", "operator_stop"],
  ["02:15", "running", "observed"],
  ["02:59:30", "unknown", "engine_down"],
  ["03:00", "running", "observed"],
  ["03:20", "unknown", "dashboard_down"],
  ["04:10", "running", "observed"],
  ["04:30", "crashed", "observed"],
  ["05:00", "running", "observed"],
];
const EXPECTED_HOURS = [
  // [up, known, stopped] per hour 00..05
  [3000, 3600, 0],
  [1800, 1800, 1800],
  [2670, 2670, 900],
  [1200, 1200, 0],
  [1200, 3000, 0],
  [3600, 3600, 0],
];

describe.each(DATABASE_KINDS)("uptime from a scripted state log (%s)", (kind) => {
  // One database for both tests (a fresh PGlite costs seconds); each test has its own agent, the first runs first.
  let database: Awaited<ReturnType<typeof openFreshDatabase>>;
  beforeAll(async () => {
    database = await openFreshDatabase(kind);
    handles.push(database);
  }, 240_000);

  it("gives exact figures per hour and over the day, and the same rows when computed again", async () => {
    const { db } = database;
    const agent = "uptime-scripted";
    await appendStateTransitions(
      db,
      SCRIPT.map(([time, state, reason]) => ({ agent, state, at: at(time), reason, recordedBy: "test" })),
    );
    const watchedUntil = at("06:00");
    await writeUptimeWatch(db, watchedUntil, "test");
    const now = at("06:00:00");

    const written = await materialiseUptime(db, { now, watchedUntil, notBefore: new Date(DAY - 86_400_000) });
    expect(written).toBe(7); // hours 00..06, the last one (06:00-07:00) not watched yet
    const rows = await uptimeBuckets(db, agent, at("00:00"), at("07:00"));
    expect(rows.map((row) => [row.secondsUp, row.secondsKnown, row.secondsStopped])).toEqual([...EXPECTED_HOURS, [0, 0, 0]]);
    expect(rows.map((row) => row.isComplete)).toEqual([true, true, true, true, true, true, false]);

    const day = sumFigures(rows);
    // up 13 470 s of 15 870 s known (2 400 s crashed), 2 700 s stopped, 50 min + 30 s + the unwatched hour unknown.
    expect(day).toEqual({ secondsUp: 13_470, secondsKnown: 15_870, secondsStopped: 2_700, uptimePercent: 84.88 });

    // Recomputing gives the same rows: run it again, and once more after wiping the buckets.
    const before = await db.select().from(agentUptimeHourly);
    await materialiseUptime(db, { now, watchedUntil, notBefore: new Date(DAY - 86_400_000) });
    await db.delete(agentUptimeHourly);
    await materialiseUptime(db, { now, watchedUntil, notBefore: new Date(DAY - 86_400_000) });
    const strip = (list: typeof before) => list.map(({ computedAt: _, ...row }) => row).sort((a, b) => a.hourStart.getTime() - b.hourStart.getTime());
    expect(strip(await db.select().from(agentUptimeHourly))).toEqual(strip(before));

    // What the API reads (stored complete hours, then live ones) agrees with the stored rows.
    const read = await agentHours(db, agent, at("00:00"), at("06:00"));
    expect(read.map((hour) => [hour.secondsUp, hour.secondsKnown, hour.secondsStopped])).toEqual(EXPECTED_HOURS);
  });

  it("catches up after the worker was away, counts an unwatched hour as unknown, and purges past the retention", async () => {
    const { db } = database;
    const agent = "uptime-catch-up";
    await appendStateTransitions(db, [{ agent, state: "running", at: at("00:00"), reason: "observed", recordedBy: "test" }]);
    // The watch saw up to 02:30 and the worker ran then: hour 02 is partial, not complete.
    await writeUptimeWatch(db, at("02:30"), "test");
    await materialiseUptime(db, { now: at("02:30"), watchedUntil: at("02:30"), notBefore: at("00:00") });
    let rows = await uptimeBuckets(db, agent, at("00:00"), at("12:00"));
    expect(rows.map((row) => [row.secondsUp, row.isComplete])).toEqual([[3600, true], [3600, true], [1800, false]]);

    // Ten hours later the worker runs again: it starts at its first incomplete hour and catches up to now.
    const now = at("12:15");
    await writeUptimeWatch(db, now, "test");
    await materialiseUptime(db, { now, watchedUntil: now, notBefore: at("00:00") });
    rows = await uptimeBuckets(db, agent, at("00:00"), at("13:00"));
    expect(rows).toHaveLength(13);
    expect(rows.slice(2, 12).every((row) => row.secondsUp === 3600 && row.isComplete)).toBe(true);
    expect([rows[12]!.secondsUp, rows[12]!.isComplete]).toEqual([900, false]);

    // Retention: buckets before the cutoff go; the last transition before it stays (it says the agent was running).
    await appendStateTransitions(db, [{ agent, state: "crashed", at: at("01:00"), reason: "observed", recordedBy: "test" }, { agent, state: "running", at: at("01:10"), reason: "observed", recordedBy: "test" }]);
    const purged = await purgeUptimeBefore(db, at("05:00"));
    // Hours 00-04 of both agents; all but the last transition before 05:00 of each (9 of the script's 10, 2 of 3 here).
    expect(purged).toEqual({ buckets: 10, transitions: 9 + 2 });
    await db.delete(agentUptimeHourly);
    const kept = await agentHours(db, agent, at("05:00"), at("06:00"));
    expect(kept.map((hour) => hour.secondsUp)).toEqual([3600]);
  });
});
