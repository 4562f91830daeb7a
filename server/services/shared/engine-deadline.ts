import "server-only";
import type { HiveContext } from "../../context";
import { HiveError } from "../../errors";
import { withDeadline } from "../../timeout";

/**
 * An action's engine call, or 504 engine_timeout once the engine has kept it waiting past the action timeout (plus
 * the grace the agent is given to stop): a slow or hung engine then frees the action's slot instead of holding it.
 * The engine may still carry the call out when it answers; the fleet picture shows what it did.
 */
export function withEngineDeadline<T>(ctx: Pick<HiveContext, "config">, action: string, call: () => Promise<T>, graceSeconds = 0): Promise<T> {
  const ms = ctx.config.runtime.actionTimeoutMs + graceSeconds * 1_000;
  return withDeadline(
    call(),
    ms,
    () =>
      new HiveError(
        "engine_timeout",
        `the container engine did not answer the ${action} within ${ms / 1_000} s; nothing is in flight now, and the engine may still carry it out`,
        { action, timeoutMs: ms },
      ),
  );
}
