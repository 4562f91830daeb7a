import "server-only";
import type { HiveContext } from "../../context";
import type { HealthReport } from "../../contracts/health";
import { VERSION } from "../../version";

const DB_PING_TIMEOUT_MS = 500;

/** The probe's answer, built from the database ping and the engine monitor's snapshot (never a live engine call). */
export async function readHealth({ ctx }: { ctx: HiveContext; input?: void }): Promise<{ report: HealthReport; healthy: boolean }> {
  let db: HealthReport["db"] = "healthy";
  try {
    await ctx.pingDatabase(DB_PING_TIMEOUT_MS);
  } catch {
    db = "unreachable";
  }
  const runtime = ctx.engine.snapshot();
  const report: HealthReport = {
    status: db === "healthy" && runtime.status === "up" ? "ok" : "degraded",
    db,
    runtime,
    agents: { active: ctx.fleet.activeCount() },
    version: VERSION,
  };
  return { report, healthy: db === "healthy" };
}
