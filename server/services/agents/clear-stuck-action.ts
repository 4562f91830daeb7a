import "server-only";
import type { ServiceCall } from "../../context";
import { describeActor } from "../../contracts/actors";
import { publishEvent } from "../../db/queries/events";
import { clearTransient, listTransients } from "../../db/queries/transients";
import { HiveError } from "../../errors";
import { AgentTarget } from "./internal/inputs";

/** Clears an in-flight slot that passed its deadline ("stuck"); a slot still within its deadline is left alone. */
export async function clearStuckAction({ ctx, input }: ServiceCall<AgentTarget>) {
  const { name } = AgentTarget.parse(input);
  const current = (await listTransients(ctx.db)).find((transient) => transient.agent === name);
  if (!current) throw new HiveError("not_found", `no action in flight for ${name}`);
  if (current.deadlineAt.getTime() > Date.now()) {
    throw new HiveError("conflict", `${current.action} of ${name} is still within its deadline (${current.deadlineAt.toISOString()})`);
  }
  const cleared = await clearTransient(ctx.db, name);
  await publishEvent(ctx.db, {
    kind: "transient_cleared",
    agent: name,
    actor: describeActor(ctx.actor),
    detail: { action: cleared?.action, startedBy: cleared?.startedBy, startedAt: cleared?.startedAt.toISOString() },
  });
  return { cleared: true };
}
