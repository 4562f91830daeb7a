import { sql } from "drizzle-orm";
import { bigserial, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

export type AgentConfig = {
  image: string;
  cmd?: string[];
  env: Record<string, string>;
  /** Names of the env entries marked secret: write-only, shown by no view, diff, audit or log. */
  secretEnv?: string[];
  memoryMb?: number;
  cpus?: number;
  network?: string;
};

/**
 * What the dashboard keeps per agent: its stored config and its desired state, which only explicit operator
 * actions change (a signal, an engine restart or a host reboot never do).
 */
export const agents = pgTable("agents", {
  name: text("name").primaryKey(),
  role: text("role", { enum: ["agent", "manager"] }).notNull().default("agent"),
  config: jsonb("config").$type<AgentConfig>(),
  desiredState: text("desired_state", { enum: ["running", "stopped"] }).notNull(),
  desiredChangedBy: text("desired_changed_by").notNull(),
  desiredChangedAt: timestamp("desired_changed_at", { withTimezone: true }).notNull().defaultNow(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  /** Set when the container was destroyed and the state volume kept (a tombstone). */
  destroyedAt: timestamp("destroyed_at", { withTimezone: true }),
  crashLoopingSince: timestamp("crash_looping_since", { withTimezone: true }),
  /** When the recovery loop restarts this crashed agent next (exponential backoff). */
  nextRestartAt: timestamp("next_restart_at", { withTimezone: true }),
  restartAttempt: integer("restart_attempt").notNull().default(0),
});

/**
 * The per-agent in-flight slot: at most one action per agent, visible to every operator and replica.
 * `ownerInstance` is the server process running it, so a transient left by a dead process is reclaimed.
 */
export const transients = pgTable("transients", {
  agent: text("agent").primaryKey(),
  id: text("id").notNull(),
  kind: text("kind", { enum: ["spawning", "starting", "stopping", "restarting", "rebuilding", "destroying", "moving"] }).notNull(),
  action: text("action").notNull(),
  startedBy: text("started_by").notNull(),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
  deadlineAt: timestamp("deadline_at", { withTimezone: true }).notNull(),
  ownerInstance: text("owner_instance").notNull(),
  traceId: text("trace_id"),
});

/** Unexpected stops. Kept after rebuilds and destroys; one row per container exit, whoever saw it first. */
export const crashRecords = pgTable(
  "crash_records",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    agent: text("agent").notNull(),
    containerId: text("container_id").notNull(),
    crashedAt: timestamp("crashed_at", { withTimezone: true }).notNull(),
    exitCode: integer("exit_code"),
    oomKilled: boolean("oom_killed").notNull().default(false),
    lastLines: jsonb("last_lines").$type<{ stream: "stdout" | "stderr"; text: string; timestamp: string | null }[]>().notNull(),
    outcome: text("outcome", { enum: ["restart_scheduled", "crash_looping", "left_stopped", "restarted_by_engine"] }).notNull(),
    recordedBy: text("recorded_by").notNull(),
  },
  (table) => [
    uniqueIndex("crash_records_exit_idx").on(table.containerId, table.crashedAt),
    index("crash_records_agent_idx").on(table.agent, table.crashedAt),
  ],
);

/** Running dashboard processes and their heartbeats (who owns which transient, who is alive). */
export const instances = pgTable("instances", {
  id: text("id").primaryKey(),
  hostname: text("hostname").notNull(),
  pid: integer("pid").notNull(),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
  heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }).notNull().defaultNow(),
});

/** The operators' activity feed; each insert is also announced with NOTIFY so every replica's browsers update. */
export const events = pgTable(
  "events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    kind: text("kind").notNull(),
    agent: text("agent"),
    actor: text("actor").notNull(),
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  },
  (table) => [index("events_at_idx").on(table.at), index("events_agent_idx").on(table.agent, table.at)],
);
