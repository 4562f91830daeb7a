import "server-only";
import type { HiveContext } from "../../context";
import { enqueueAgentEvent } from "../../db/queries/agent-events";

/** A "you were (re)started" note in the agent's inbox, so its next turn knows what happened and when. */
export async function notifyAgentStarted(ctx: HiveContext, agent: string, action: "started" | "restarted" | "rebuilt" | "recovered", actor: string) {
  const at = new Date().toISOString();
  const text =
    action === "recovered"
      ? `You were restarted at ${at} after a crash. Your state volume (/state) is intact.`
      : `You were ${action} at ${at} by ${actor}. Your state volume (/state) is intact.`;
  await enqueueAgentEvent(ctx.db, { agent, kind: "system", payload: { message: text, action, at, by: actor } }).catch((error: Error) =>
    ctx.logger.warn({ agent, err: error.message }, "could not put the start notice in the agent's inbox"),
  );
}
