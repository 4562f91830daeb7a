import { boolean, index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import type { AgentConfig } from "./agents";

export const APPROVAL_STATUSES = ["pending", "approved", "denied", "failed", "cancelled"] as const;

/**
 * Requests that need an operator's decision: a new agent (spawn, also how a tombstone is revived) or a
 * config change for an existing one. Deciding is a conditional update on `status = 'pending'`, so a double
 * click or two operators execute it once.
 */
export const approvals = pgTable(
  "approvals",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: ["spawn", "config_change"] }).notNull(),
    agent: text("agent").notNull(),
    role: text("role", { enum: ["agent", "manager"] }).notNull().default("agent"),
    requestedBy: text("requested_by").notNull(),
    requesterKind: text("requester_kind", { enum: ["agent", "operator"] }).notNull(),
    description: text("description").notNull(),
    config: jsonb("config").$type<AgentConfig>().notNull(),
    /** The agent's config when the change was requested, for the diff the operator reviews. */
    previousConfig: jsonb("previous_config").$type<AgentConfig>(),
    /** Set when this spawn brings a tombstone back (its state volume is reused). */
    revive: boolean("revive").notNull().default(false),
    status: text("status", { enum: APPROVAL_STATUSES }).notNull().default("pending"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    decidedBy: text("decided_by"),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    note: text("note"),
    /** Why executing an approved request failed (the engine's message). */
    failure: text("failure"),
  },
  (table) => [index("approvals_status_idx").on(table.status, table.createdAt), index("approvals_agent_idx").on(table.agent)],
);
