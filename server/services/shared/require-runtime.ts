import "server-only";
import type { HiveContext } from "../../context";
import { runtimeNotReady } from "../../errors";

/** Calls that need the engine answer 503 runtime_not_ready at once while the monitor says it is not up. */
export function requireRuntime(ctx: HiveContext) {
  if (ctx.engine.status !== "up") throw runtimeNotReady();
  return ctx.runtime;
}
