import "server-only";
import type { HiveApp } from "../app";
import { runtimeNotReady } from "../errors";

/** Routes that need the engine answer 503 runtime_not_ready at once while the monitor says it is not up. */
export function requireRuntime(app: HiveApp) {
  if (app.runtimeMonitor.status !== "up") throw runtimeNotReady();
  return app.runtime;
}
