import { z } from "zod";
import { AgentName } from "./common";
import { LogLineView } from "./containers";

/** One log line as the API sends it (`timestamp` is null unless stamps were asked for). */
export type LogLineData = z.infer<typeof LogLineView>;

/** The viewer's line counts; the API accepts any count up to the cap and clamps larger ones to it. */
export const LOG_LINE_CHOICES = [200, 1000, 5000] as const;
export const LOG_LINES_DEFAULT = 200;
const LOG_LINES_MAX = 5000;

/**
 * `agent`: what the agent prints on stdout; `all`: stdout and stderr. A read's `lines` counts the log's last lines
 * over both streams, as the engine does; `agent` answers the stdout lines among them.
 */
export const LogSource = z.enum(["agent", "all"]);
export type LogSource = z.infer<typeof LogSource>;

const LineCount = z
  .string()
  .regex(/^\d+$/, { error: "must be a whole number of lines" })
  .transform((value) => Math.min(Number(value), LOG_LINES_MAX))
  .pipe(z.number().int().min(1, { error: "must be at least 1" }));

const QueryFlag = z.enum(["true", "false", "1", "0"], { error: "must be true or false" }).transform((value) => value === "true" || value === "1");

/** An engine log timestamp (RFC 3339, up to nanoseconds), as the lines carry them. */
const LogTimestamp = z
  .string()
  .max(40)
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/, { error: "must be an RFC 3339 timestamp" })
  .refine((value) => !Number.isNaN(Date.parse(value.replace(/\.\d+/, ""))), { error: "must be a real point in time" });

// GET /api/agents/:name/logs?lines=&source=&timestamps=
export const AgentLogsQuery = z.strictObject({
  lines: LineCount.optional().transform((value) => value ?? LOG_LINES_DEFAULT),
  source: LogSource.default("agent"),
  timestamps: QueryFlag.optional().transform((value) => value ?? false),
});
export type AgentLogsQuery = z.infer<typeof AgentLogsQuery>;

export const ReadAgentLogsInput = z.object({
  name: AgentName,
  lines: z.number().int().min(1).max(LOG_LINES_MAX),
  source: LogSource,
  timestamps: z.boolean(),
});
export type ReadAgentLogsInput = z.infer<typeof ReadAgentLogsInput>;

/**
 * Where a reader of the log stands: it holds the first `count` lines stamped at or after `after`, so the follow
 * stream reads from `after` and skips those. (Not simply "after the last stamp": the engine stamps stdout and
 * stderr separately, so a line written later may carry a slightly earlier stamp.)
 */
export const LogCursor = z.object({ after: LogTimestamp, count: z.number().int().min(0) });
export type LogCursor = z.infer<typeof LogCursor>;

// The cursor is computed alike by the server (for a read) and by the viewer (after followed lines): pure helpers.
const STAMP_PARTS = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Nanoseconds since the epoch of an RFC 3339 stamp (the engine's carry nanoseconds); null when it is not one. */
export function timestampNanos(stamp: string): bigint | null {
  const match = STAMP_PARTS.exec(stamp);
  if (!match) return null;
  const ms = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(ms)) return null;
  return BigInt(ms) * 1_000_000n + BigInt((match[2] ?? "").padEnd(9, "0"));
}

/** RFC 3339 in UTC with nine fraction digits, the engine's own format. */
export function formatNanos(nanos: bigint): string {
  const iso = new Date(Number(nanos / 1_000_000n)).toISOString();
  return `${iso.slice(0, 19)}.${(nanos % 1_000_000_000n).toString().padStart(9, "0")}Z`;
}

/** How far back from the newest line a cursor starts: far more than the engine's stdout/stderr stamp skew. */
const CURSOR_OVERLAP_NS = 1_000_000_000n;

/**
 * The cursor after a reader's lines (a contiguous stretch of the log, oldest first): a second before the newest
 * stamp (but not before the oldest line held), and how many of the lines are stamped from then on.
 */
export function logCursor(lines: readonly { timestamp: string | null }[]): LogCursor | null {
  const stamps = lines.map((line) => (line.timestamp ? timestampNanos(line.timestamp) : null));
  const newest = stamps.reduce<bigint | null>((most, stamp) => (stamp !== null && (most === null || stamp > most) ? stamp : most), null);
  const oldest = stamps.find((stamp) => stamp !== null) ?? null;
  if (newest === null || oldest === null) return null;
  const from = newest - CURSOR_OVERLAP_NS > oldest ? newest - CURSOR_OVERLAP_NS : oldest;
  return { after: formatNanos(from), count: stamps.filter((stamp) => stamp !== null && stamp >= from).length };
}

export const AgentLogsView = z.object({
  agent: z.string(),
  source: LogSource,
  /** How many of the log's last lines were read, after clamping (the log may hold fewer; `agent` shows stdout's). */
  requested: z.number(),
  lines: z.array(LogLineView),
  cursor: LogCursor,
});
export type AgentLogsView = z.infer<typeof AgentLogsView>;

// GET /api/agents/:name/logs/stream?source=&after=&afterCount=  (server-sent events)
export const AgentLogStreamQuery = z.strictObject({
  source: LogSource.default("agent"),
  after: LogTimestamp.optional(),
  afterCount: z
    .string()
    .regex(/^\d{1,5}$/, { error: "must be a whole number up to 99999" })
    .transform(Number)
    .optional(),
});
export type AgentLogStreamQuery = z.infer<typeof AgentLogStreamQuery>;

export const FollowAgentLogsInput = z.object({
  name: AgentName,
  source: LogSource,
  after: LogTimestamp.optional(),
  afterCount: z.number().int().min(0).default(0),
});
export type FollowAgentLogsInput = z.input<typeof FollowAgentLogsInput>;

/** Events of the follow stream: `ready`, then `lines` batches; `end` when the container stops; `error`. */
export const LogStreamEnd = z.object({ reason: z.enum(["container_stopped", "shutting_down"]) });
export type LogStreamEnd = z.infer<typeof LogStreamEnd>;

// GET /api/diagnostics
export const DiagnosticsView = z.object({
  runtime: z.object({ status: z.string(), openLogStreams: z.record(z.string(), z.number()) }),
});
export type DiagnosticsView = z.infer<typeof DiagnosticsView>;
