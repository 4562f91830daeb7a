import "server-only";
import type { HiveApp } from "../app";
import { listRecentAudit } from "../db/queries/audit";

export async function listAudit({ app, limit }: { app: HiveApp; limit: number }) {
  const rows = await listRecentAudit(app.database.db, limit);
  return rows.map((row) => ({ ...row, at: row.at.toISOString() }));
}
