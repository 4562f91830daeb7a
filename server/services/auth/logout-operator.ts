import "server-only";
import type { ServiceCall } from "../../context";
import type { OperatorActor } from "../../contracts/actors";
import { revokeSession } from "../../db/queries/sessions";

/** Ends the operator's session server-side (a bearer or proxy operator has none to end). */
export async function logoutOperator({ ctx }: ServiceCall<void, OperatorActor>): Promise<void> {
  if (ctx.actor.sessionId) await revokeSession(ctx.db, ctx.actor.sessionId, new Date());
}
