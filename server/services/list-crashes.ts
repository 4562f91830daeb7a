import "server-only";
import type { HiveApp } from "../app";
import type { CrashDetailView } from "../contracts/containers";
import { crashesOf } from "../db/queries/crashes";

export async function listCrashes({ app, name, limit }: { app: HiveApp; name: string; limit: number }): Promise<CrashDetailView[]> {
  const rows = await crashesOf(app.database.db, name, limit);
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
