import "server-only";
import { z } from "zod";
import type { ServiceCall } from "../../context";
import { AgentName } from "../../contracts/common";
import { type AgentUptimeHistory, UPTIME_WINDOWS, type UptimePeriod, type UptimeWindow } from "../../contracts/uptime";
import { DAY_MS, HOUR_MS, sumFigures } from "./internal/buckets";
import { agentHours, type Hour, windowHours } from "./internal/hours";
import { requireWatchedAgent } from "./internal/known-agent";

export const ReadAgentUptimeHistoryInput = z.object({
  name: AgentName,
  window: z.enum(Object.keys(UPTIME_WINDOWS) as [UptimeWindow, ...UptimeWindow[]]),
  granularity: z.enum(["hourly", "daily"]),
});
export type ReadAgentUptimeHistoryInput = z.infer<typeof ReadAgentUptimeHistoryInput>;

/** An agent's uptime period by period (hours, or UTC days) over a window, oldest first. */
export async function readAgentUptimeHistory({ ctx, input }: ServiceCall<ReadAgentUptimeHistoryInput>): Promise<AgentUptimeHistory> {
  const { name, window, granularity } = ReadAgentUptimeHistoryInput.parse(input);
  await requireWatchedAgent(ctx.db, name);
  const now = new Date();
  let { from, to } = windowHours(window, now);
  if (granularity === "daily") {
    // Whole UTC days: the window's days, the last one today.
    to = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS + DAY_MS);
    from = new Date(to.getTime() - Math.round((UPTIME_WINDOWS[window] * HOUR_MS) / DAY_MS) * DAY_MS);
  }
  const hours = await agentHours(ctx.db, name, from, to);
  const periodMs = granularity === "hourly" ? HOUR_MS : DAY_MS;
  const groups = new Map<number, Hour[]>();
  for (let start = from.getTime(); start < to.getTime(); start += periodMs) groups.set(start, []);
  for (const hour of hours) groups.get(Math.floor((hour.hourStart.getTime() - from.getTime()) / periodMs) * periodMs + from.getTime())?.push(hour);
  const periods: UptimePeriod[] = [...groups].map(([start, members]) => ({
    start: new Date(start).toISOString(),
    end: new Date(start + periodMs).toISOString(),
    ...sumFigures(members),
  }));
  return { agent: name, window, granularity, periods };
}
