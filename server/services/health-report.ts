import "server-only";
import type { HiveApp } from "../app";
import type { HealthReport } from "../contracts/health";
import { VERSION } from "../version";

const DB_PING_TIMEOUT_MS = 500;

/** The probe's answer, built from the database ping and the engine monitor's snapshot (never a live engine call). */
export async function buildHealthReport(app: HiveApp): Promise<{ report: HealthReport; httpStatus: number }> {
  let db: HealthReport["db"] = "healthy";
  try {
    await app.database.ping(DB_PING_TIMEOUT_MS);
  } catch {
    db = "unreachable";
  }
  const runtime = app.runtimeMonitor.snapshot();
  const report: HealthReport = {
    status: db === "healthy" && runtime.status === "up" ? "ok" : "degraded",
    db,
    runtime,
    agents: { active: app.fleet.activeCount() },
    version: VERSION,
  };
  return { report, httpStatus: db === "healthy" ? 200 : 503 };
}
