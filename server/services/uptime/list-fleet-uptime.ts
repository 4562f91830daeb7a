import "server-only";
import { z } from "zod";
import type { ServiceCall } from "../../context";
import { type FleetUptime, type UptimeFigures, UPTIME_WINDOWS, type UptimeWindow } from "../../contracts/uptime";
import { fleetUptimeSums } from "../../db/queries/uptime";
import { uptimePercent } from "./internal/buckets";
import { windowHours } from "./internal/hours";

export const ListFleetUptimeInput = z.object({ window: z.enum(Object.keys(UPTIME_WINDOWS) as [UptimeWindow, ...UptimeWindow[]]) });
export type ListFleetUptimeInput = z.infer<typeof ListFleetUptimeInput>;

/**
 * Every agent's uptime over a window from the materialised buckets (one query for the table's column); the current
 * hour is as fresh as the worker's last pass (≤ 1 minute).
 */
export async function listFleetUptime({ ctx, input }: ServiceCall<ListFleetUptimeInput>): Promise<FleetUptime> {
  const { window } = ListFleetUptimeInput.parse(input);
  const { from, to } = windowHours(window, new Date());
  const agents: Record<string, UptimeFigures> = {};
  for (const sums of await fleetUptimeSums(ctx.db, from, to)) {
    agents[sums.agent] = { secondsUp: sums.secondsUp, secondsKnown: sums.secondsKnown, secondsStopped: sums.secondsStopped, uptimePercent: uptimePercent(sums.secondsUp, sums.secondsKnown) };
  }
  return { window, agents };
}
