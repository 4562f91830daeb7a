import { bigserial, boolean, index, integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

export const AGENT_RUN_STATES = ["running", "stopped", "crashed", "unknown"] as const;

/**
 * Append-only: every observed change of an agent's run state. "stopped" is an operator's stop (not downtime),
 * "crashed" is down while it should run, "unknown" is the engine or the dashboard not looking.
 */
export const agentStateLog = pgTable(
  "agent_state_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    agent: text("agent").notNull(),
    state: text("state", { enum: AGENT_RUN_STATES }).notNull(),
    at: timestamp("at", { withTimezone: true }).notNull(),
    /** Why: observed, engine_down, node_unreachable, dashboard_down, destroyed. */
    reason: text("reason").notNull(),
    recordedBy: text("recorded_by").notNull(),
  },
  (table) => [index("agent_state_log_agent_at_idx").on(table.agent, table.at)],
);

/** Hourly uptime per agent, materialised from the state log by the leader; recomputing one gives the same row. */
export const agentUptimeHourly = pgTable(
  "agent_uptime_hourly",
  {
    agent: text("agent").notNull(),
    hourStart: timestamp("hour_start", { withTimezone: true }).notNull(),
    secondsUp: integer("seconds_up").notNull(),
    /** Up plus crashed: the time the agent should have run and was watched. */
    secondsKnown: integer("seconds_known").notNull(),
    secondsStopped: integer("seconds_stopped").notNull(),
    /** The hour is over and was watched to its end (or the watch ended for good): never computed again. */
    isComplete: boolean("is_complete").notNull(),
    computedAt: timestamp("computed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.agent, table.hourStart] }), index("agent_uptime_hourly_hour_idx").on(table.hourStart)],
);

/** Until when the leader's uptime observer is known to have been watching: after it, time is unknown. */
export const uptimeWatch = pgTable("uptime_watch", {
  id: text("id").primaryKey(),
  watchedUntil: timestamp("watched_until", { withTimezone: true }).notNull(),
  instance: text("instance").notNull(),
});
