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

/**
 * A stamp as the millisecond of its whole second (since the epoch) and the nanoseconds past it: two plain numbers,
 * compared without BigInt (a cursor looks at every line of a read).
 */
type StampParts = { secondMs: number; ns: number };

/**
 * The parts of an RFC 3339 stamp (the engine's carry nanoseconds); null when it is not one. `seconds` keeps the
 * whole seconds already parsed: the lines of a read share a few of them.
 */
function stampParts(stamp: string, seconds?: Map<string, number>): StampParts | null {
  const match = STAMP_PARTS.exec(stamp);
  if (!match) return null;
  const second = `${match[1]}${match[3]}`;
  let secondMs = seconds?.get(second);
  if (secondMs === undefined) {
    secondMs = Date.parse(second);
    seconds?.set(second, secondMs);
  }
  if (Number.isNaN(secondMs)) return null;
  return { secondMs, ns: match[2] ? Number(match[2].padEnd(9, "0")) : 0 };
}

const isBefore = (a: StampParts, b: StampParts) => a.secondMs < b.secondMs || (a.secondMs === b.secondMs && a.ns < b.ns);
const toNanos = (parts: StampParts) => BigInt(parts.secondMs) * 1_000_000n + BigInt(parts.ns);

/** Nanoseconds since the epoch of an RFC 3339 stamp (the engine's carry nanoseconds); null when it is not one. */
export function timestampNanos(stamp: string): bigint | null {
  const parts = stampParts(stamp);
  return parts && toNanos(parts);
}

/** RFC 3339 in UTC with nine fraction digits, the engine's own format. */
export function formatNanos(nanos: bigint): string {
  const iso = new Date(Number(nanos / 1_000_000n)).toISOString();
  return `${iso.slice(0, 19)}.${(nanos % 1_000_000_000n).toString().padStart(9, "0")}Z`;
}

/** How far back from the newest line a cursor starts: far more than the engine's stdout/stderr stamp skew. */
const CURSOR_OVERLAP_MS = 1_000;

/**
 * The cursor after a reader's lines (a contiguous stretch of the log, oldest first), gathered line by line so that
 * a streamed read parses each stamp as it passes: a second before the newest stamp (but not before the oldest line
 * held), and how many of the lines are stamped from then on.
 */
export class LogCursorBuilder {
  private readonly seconds = new Map<string, number>();
  private readonly stamps: StampParts[] = [];
  private newest: StampParts | null = null;

  add(timestamp: string | null): void {
    const stamp = timestamp ? stampParts(timestamp, this.seconds) : null;
    if (!stamp) return;
    this.stamps.push(stamp);
    if (!this.newest || isBefore(this.newest, stamp)) this.newest = stamp;
  }

  /** The cursor, or null when no line had a stamp. */
  cursor(): LogCursor | null {
    const newest = this.newest;
    const oldest = this.stamps[0];
    if (!newest || !oldest) return null;
    const overlap = { secondMs: newest.secondMs - CURSOR_OVERLAP_MS, ns: newest.ns };
    const from = isBefore(oldest, overlap) ? overlap : oldest;
    let count = 0;
    for (const stamp of this.stamps) if (!isBefore(stamp, from)) count++;
    return { after: formatNanos(toNanos(from)), count };
  }
}

/** The cursor after a reader's lines (see LogCursorBuilder); null when no line has a stamp. */
export function logCursor(lines: readonly { timestamp: string | null }[]): LogCursor | null {
  const builder = new LogCursorBuilder();
  for (const line of lines) builder.add(line.timestamp);
  return builder.cursor();
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
  /** Streams and long polls open on this process that end with their credential (agent token or session). */
  streams: z.object({ watchedCredentials: z.number() }),
});
export type DiagnosticsView = z.infer<typeof DiagnosticsView>;
