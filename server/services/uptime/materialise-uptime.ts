import "server-only";
import { z } from "zod";
import type { ServiceCall } from "../../context";
import { purgeUptimeBefore, readUptimeWatch } from "../../db/queries/uptime";
import { DAY_MS } from "./internal/buckets";
import { materialiseUptime as materialise } from "./internal/materialise";

/** `agents`: only these (the ones whose state just changed), without the purge; else all of them. */
export const MaterialiseUptimeInput = z.object({ now: z.date(), agents: z.array(z.string()).optional() });
export type MaterialiseUptimeInput = z.infer<typeof MaterialiseUptimeInput>;

/**
 * The uptime worker's pass (leader only): purges what is older than the retention, then brings every agent's hourly
 * buckets up to the current hour from the state log. Safe to run again at any time: the same log gives the same rows.
 */
export async function materialiseUptime({ ctx, input }: ServiceCall<MaterialiseUptimeInput, null>): Promise<{ written: number; purged: { buckets: number; transitions: number } }> {
  const { now, agents } = MaterialiseUptimeInput.parse(input);
  const cutoff = new Date(now.getTime() - ctx.config.uptimeRetentionDays * DAY_MS);
  const purged = agents ? { buckets: 0, transitions: 0 } : await purgeUptimeBefore(ctx.db, cutoff);
  const written = await materialise(ctx.db, {
    now,
    watchedUntil: await readUptimeWatch(ctx.db),
    notBefore: cutoff,
    agents: agents ? new Set(agents) : undefined,
    onAgentError: (agent, error) => ctx.logger.warn({ agent, err: error.message }, "could not compute an agent's uptime"),
  });
  return { written, purged };
}
