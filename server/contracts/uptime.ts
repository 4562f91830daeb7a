import { z } from "./zod";

export const UPTIME_WINDOWS = { "24h": 24, "7d": 7 * 24, "30d": 30 * 24 } as const;
export type UptimeWindow = keyof typeof UPTIME_WINDOWS;
const UptimeWindowParam = z.enum(Object.keys(UPTIME_WINDOWS) as [UptimeWindow, ...UptimeWindow[]]);

// GET /api/agents/:name/uptime?window=
export const UptimeQuery = z.strictObject({ window: UptimeWindowParam.default("24h") });
// GET /api/agents/:name/uptime/history?window=&granularity=
export const UptimeHistoryQuery = z.strictObject({
  window: UptimeWindowParam.default("24h"),
  granularity: z.enum(["hourly", "daily"]).default("hourly"),
});
// GET /api/uptime?window=: every agent's summary, for the table's column
export const FleetUptimeQuery = z.strictObject({ window: UptimeWindowParam.default("24h") });

const Seconds = z.number().int().min(0);
/** Seconds up, down (crashed while it should run), stopped by an operator, and unknown (engine or dashboard away). */
export const UptimeFigures = z.object({
  secondsUp: Seconds,
  secondsKnown: Seconds.describe("up plus down: the time the agent should have run and was watched"),
  secondsStopped: Seconds,
  /** Up over known, in percent (two decimals); null when nothing is known. */
  uptimePercent: z.number().min(0).max(100).nullable(),
});
export type UptimeFigures = z.infer<typeof UptimeFigures>;

export const AgentUptime = UptimeFigures.extend({
  agent: z.string(),
  window: UptimeWindowParam,
  from: z.string().describe("ISO time the window starts"),
  to: z.string(),
});
export type AgentUptime = z.infer<typeof AgentUptime>;

export const UptimePeriod = UptimeFigures.extend({ start: z.string(), end: z.string() });
export type UptimePeriod = z.infer<typeof UptimePeriod>;
export const AgentUptimeHistory = z.object({
  agent: z.string(),
  window: UptimeWindowParam,
  granularity: z.enum(["hourly", "daily"]),
  periods: z.array(UptimePeriod),
});
export type AgentUptimeHistory = z.infer<typeof AgentUptimeHistory>;

export const FleetUptime = z.object({
  window: UptimeWindowParam,
  agents: z.record(z.string(), UptimeFigures),
});
export type FleetUptime = z.infer<typeof FleetUptime>;
