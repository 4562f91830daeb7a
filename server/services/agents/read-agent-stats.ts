import "server-only";
import { z } from "zod";
import type { ServiceCall } from "../../context";
import { AgentName } from "../../contracts/common";
import { type AgentStatsView, MAX_STATS_AGENTS } from "../../contracts/agent-stats";
import { statsWithout } from "../../views/agent-stats";

export const ReadAgentStatsInput = z.object({ names: z.array(AgentName).min(1).max(MAX_STATS_AGENTS) });
export type ReadAgentStatsInput = z.infer<typeof ReadAgentStatsInput>;

/**
 * The resource use of the agents an operator has on screen. Agents the fleet picture shows not running (or does not
 * know) cost no engine call; the rest are read through the stats cache (fresh readings shared, engine calls bounded).
 */
export async function readAgentStats({ ctx, input }: ServiceCall<ReadAgentStatsInput>): Promise<AgentStatsView[]> {
  const { names } = ReadAgentStatsInput.parse(input);
  if (ctx.engine.status === "down") return names.map((name) => statsWithout(name, "unavailable", "the container engine is unreachable"));
  const picture = ctx.fleet.current();
  const states = picture ? new Map(picture.map((agent) => [agent.name, agent.state])) : null;
  return Promise.all(
    names.map((name) => {
      const state = states?.get(name);
      if (states && state !== "running") {
        ctx.caches.stats.forget(name);
        return statsWithout(name, "not_running");
      }
      return ctx.caches.stats.read(name);
    }),
  );
}
