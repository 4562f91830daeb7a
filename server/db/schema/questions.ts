import { sql } from "drizzle-orm";
import { bigserial, boolean, index, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

export const QUESTION_STATUSES = ["pending", "answered", "expired", "cancelled", "retracted"] as const;

/**
 * Questions agents ask the operator. Resolution (answer, cancel, retract, expiry) is one conditional update
 * on `status = 'pending'`: the first writer wins, and the deadline lives here so expiry survives restarts.
 */
export const questions = pgTable(
  "questions",
  {
    id: text("id").primaryKey(),
    agent: text("agent").notNull(),
    question: text("question").notNull(),
    options: jsonb("options").$type<string[]>(),
    multi: boolean("multi").notNull().default(false),
    idempotencyKey: text("idempotency_key"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    deadlineAt: timestamp("deadline_at", { withTimezone: true }),
    status: text("status", { enum: QUESTION_STATUSES }).notNull().default("pending"),
    answer: text("answer"),
    answeredBy: text("answered_by"),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
  },
  (table) => [
    uniqueIndex("questions_idempotency_idx").on(table.agent, table.idempotencyKey),
    index("questions_pending_deadline_idx").on(table.deadlineAt).where(sql`${table.status} = 'pending'`),
    index("questions_agent_idx").on(table.agent, table.createdAt),
    index("questions_resolved_idx").on(table.resolvedAt),
  ],
);

/**
 * Each agent's inbox: events addressed to it (answers, approval outcomes, system messages), in id order.
 * `deliveredAt` is the agent's receipt (it acknowledged up to this id); undelivered rows are never pruned.
 */
export const agentEvents = pgTable(
  "agent_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    agent: text("agent").notNull(),
    kind: text("kind", { enum: ["operator_answered", "approval_resolved", "system"] }).notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    /** The question or approval this event is about, for receipts shown next to it. */
    ref: text("ref"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
  },
  (table) => [
    index("agent_events_agent_idx").on(table.agent, table.id),
    uniqueIndex("agent_events_answer_once_idx").on(table.ref).where(sql`${table.kind} = 'operator_answered'`),
  ],
);
