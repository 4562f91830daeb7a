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
 * Where a reader of the log stands: lines after `after`, skipping the first `count` lines stamped exactly
 * `after` (the reader already has those). Pass it to the follow stream to continue without gaps or repeats.
 */
export const LogCursor = z.object({ after: LogTimestamp, count: z.number().int().min(0) });
export type LogCursor = z.infer<typeof LogCursor>;

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
