import { z } from "./zod";
import { AGENT_NAME_PATTERN } from "./common";

/** At most this many agents a request reads: the rows on an operator's screen, with room to spare. */
export const MAX_STATS_AGENTS = 100;

/** An agent at or above this share of its memory limit is marked: the kernel's OOM kill is near. */
export const NEAR_OOM_RATIO = 0.9;

// GET /api/agent-stats?names=a,b,c: the agents whose rows the operator sees.
export const AgentStatsQuery = z.strictObject({
  names: z
    .string()
    .max(MAX_STATS_AGENTS * 41)
    .transform((value) => value.split(","))
    .pipe(
      z
        .array(z.string().regex(AGENT_NAME_PATTERN, { error: "each name must be an agent name" }))
        .min(1, { error: "name at least one agent" })
        .max(MAX_STATS_AGENTS, { error: `at most ${MAX_STATS_AGENTS} agents at once` })
        .refine((names) => new Set(names).size === names.length, { error: "each agent once" }),
    ),
});
export type AgentStatsQuery = z.infer<typeof AgentStatsQuery>;

export const AgentStatsView = z.object({
  name: z.string(),
  /** `not_running`: nothing to read; `unavailable`: where it runs cannot be read now (`reason` says why). */
  status: z.enum(["ok", "not_running", "unavailable"]),
  /** When the engine read it (RFC 3339). */
  at: z.string().nullable(),
  /** Of one CPU (two busy CPUs: 200); null until a second reading gives a difference. */
  cpuPercent: z.number().nullable(),
  memoryBytes: z.number().nullable(),
  /** null: no limit of its own. */
  memoryLimitBytes: z.number().nullable(),
  /** At or above NEAR_OOM_RATIO of its limit. */
  nearOom: z.boolean(),
  /** Bytes received and sent since it started; null without a network of its own (host or none). */
  network: z.object({ rxBytes: z.number(), txBytes: z.number() }).nullable(),
  reason: z.string().nullable(),
});
export type AgentStatsView = z.infer<typeof AgentStatsView>;
export const AgentStatsList = z.object({ stats: z.array(AgentStatsView) });
export type AgentStatsList = z.infer<typeof AgentStatsList>;

/** Whether memory in use is close enough to the limit to warn (no limit: never). */
export const isNearOom = (memoryBytes: number | null, limitBytes: number | null) =>
  memoryBytes !== null && limitBytes !== null && limitBytes > 0 && memoryBytes >= limitBytes * NEAR_OOM_RATIO;
