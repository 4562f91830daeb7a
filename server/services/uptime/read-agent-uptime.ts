import "server-only";
import { z } from "zod";
import type { ServiceCall } from "../../context";
import { AgentName } from "../../contracts/common";
import { type AgentUptime, UPTIME_WINDOWS, type UptimeWindow } from "../../contracts/uptime";
import { sumFigures } from "./internal/buckets";
import { agentHours, windowHours } from "./internal/hours";
import { requireWatchedAgent } from "./internal/known-agent";

export const ReadAgentUptimeInput = z.object({ name: AgentName, window: z.enum(Object.keys(UPTIME_WINDOWS) as [UptimeWindow, ...UptimeWindow[]]) });
export type ReadAgentUptimeInput = z.infer<typeof ReadAgentUptimeInput>;

/** An agent's uptime over a rolling window: up over known, stopped apart, unknown time left out. */
export async function readAgentUptime({ ctx, input }: ServiceCall<ReadAgentUptimeInput>): Promise<AgentUptime> {
  const { name, window } = ReadAgentUptimeInput.parse(input);
  await requireWatchedAgent(ctx.db, name);
  const { from, to } = windowHours(window, new Date());
  const figures = sumFigures(await agentHours(ctx.db, name, from, to));
  return { agent: name, window, from: from.toISOString(), to: to.toISOString(), ...figures };
}
