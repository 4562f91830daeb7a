import "server-only";
import { z } from "zod";
import type { ServiceCall } from "../../context";
import { AgentName } from "../../contracts/common";
import type { CrashDetailView } from "../../contracts/containers";
import { crashesOf } from "../../db/queries/crashes";

export const ListCrashesInput = z.object({ name: AgentName, limit: z.number().int().min(1).max(100) });
export type ListCrashesInput = z.infer<typeof ListCrashesInput>;

/** The agent's crash history, newest first, with each crash's last log lines (kept after rebuilds and destroys). */
export async function listCrashes({ ctx, input }: ServiceCall<ListCrashesInput>): Promise<CrashDetailView[]> {
  const { name, limit } = ListCrashesInput.parse(input);
  const rows = await crashesOf(ctx.db, name, limit);
  return rows.map((row) => ({
    id: row.id,
    containerId: row.containerId,
    crashedAt: row.crashedAt.toISOString(),
    exitCode: row.exitCode,
    oomKilled: row.oomKilled,
    outcome: row.outcome,
    lineCount: row.lastLines.length,
    lastLines: row.lastLines,
  }));
}
