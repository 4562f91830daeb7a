import { bigserial, index, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** One row per mutating request: who did what to which target, how it ended, and the trace id to follow. */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    actorKind: text("actor_kind", { enum: ["operator", "agent", "anonymous", "system"] }).notNull(),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    target: text("target"),
    result: text("result", { enum: ["ok", "error"] }).notNull(),
    status: integer("status").notNull(),
    errorCode: text("error_code"),
    traceId: text("trace_id").notNull(),
    detail: jsonb("detail"),
  },
  (table) => [index("audit_log_at_idx").on(table.at), index("audit_log_target_idx").on(table.target)],
);
