import "server-only";
import { z } from "zod";
import type { ServiceCall } from "../../context";
import { listRecentAudit } from "../../db/queries/audit";

export const ListAuditInput = z.object({ limit: z.number().int().min(1).max(1000) });
export type ListAuditInput = z.infer<typeof ListAuditInput>;

/** The newest audit rows. */
export async function listAudit({ ctx, input }: ServiceCall<ListAuditInput>) {
  const { limit } = ListAuditInput.parse(input);
  const rows = await listRecentAudit(ctx.db, limit);
  return rows.map((row) => ({ ...row, at: row.at.toISOString() }));
}
