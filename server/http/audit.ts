import "server-only";
import type { Logger } from "pino";
import type { HiveContext } from "../context";
import { type Actor, describeActor } from "../contracts/actors";
import { insertAuditEntry } from "../db/queries/audit";

export type AuditEntry = {
  actor: Actor | null;
  action: string;
  target?: string;
  status: number;
  errorCode?: string;
  traceId: string;
  detail?: Record<string, unknown>;
};

/** Writes one audit row (a route's, or an MCP tool call's). */
export async function recordAudit({ db, writeRetry }: Pick<HiveContext, "db" | "writeRetry">, logger: Logger, entry: AuditEntry) {
  const row: Parameters<typeof insertAuditEntry>[1] = {
    actorKind: entry.actor?.kind ?? "anonymous",
    actor: describeActor(entry.actor),
    action: entry.action,
    target: entry.target ?? null,
    result: entry.status < 400 ? "ok" : "error",
    status: entry.status,
    errorCode: entry.errorCode ?? null,
    traceId: entry.traceId,
    detail: entry.detail ?? null,
  };
  try {
    // The request has its answer: through a database outage the row is kept and written once the database is back.
    await writeRetry.run("audit", () => insertAuditEntry(db, row), { action: row.action, target: row.target, status: row.status, traceId: row.traceId });
  } catch (error) {
    // A row the database refuses is logged with everything it would have held.
    logger.error({ audit: { ...entry, actor: describeActor(entry.actor) }, err: (error as Error).message }, "audit write failed");
  }
}
