import "server-only";
import type { HiveApp } from "../app";
import { publishEvent } from "../db/queries/events";
import { clearTransient, listTransients } from "../db/queries/transients";
import { HiveError } from "../errors";

/** Clears an in-flight slot that passed its deadline ("stuck"); a slot still within its deadline is left alone. */
export async function clearStuckTransient({ app, actor, name }: { app: HiveApp; actor: string; name: string }) {
  const db = app.database.db;
  const current = (await listTransients(db)).find((transient) => transient.agent === name);
  if (!current) throw new HiveError("not_found", `no action in flight for ${name}`);
  if (current.deadlineAt.getTime() > Date.now()) {
    throw new HiveError("conflict", `${current.action} of ${name} is still within its deadline (${current.deadlineAt.toISOString()})`);
  }
  const cleared = await clearTransient(db, name);
  await publishEvent(db, {
    kind: "transient_cleared",
    agent: name,
    actor,
    detail: { action: cleared?.action, startedBy: cleared?.startedBy, startedAt: cleared?.startedAt.toISOString() },
  });
  return { cleared: true };
}
