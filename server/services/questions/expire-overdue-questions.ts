import "server-only";
import type { ServiceCall } from "../../context";
import { expireOverdue } from "../../db/queries/questions";
import { announceResolution } from "./internal/resolve-question";

/** Expires every question past its deadline, exactly once across replicas; answers how many it expired. */
export async function expireOverdueQuestions({ ctx }: ServiceCall<void>): Promise<number> {
  const expired = await ctx.db.transaction(async (tx) => {
    const rows = await expireOverdue(tx);
    for (const row of rows) await announceResolution(tx, row, "system:expiry");
    return rows;
  });
  return expired.length;
}
