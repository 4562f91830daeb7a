import { z } from "./zod";
import { AgentName } from "./common";
import { LogLineView } from "./containers";
import { LOG_LINES_DEFAULT, LOG_LINES_MAX } from "./journal-lines";

/** One log line as the API sends it (`timestamp` is null unless stamps were asked for). */
export type LogLineData = z.infer<typeof LogLineView>;

export { LOG_LINE_CHOICES, LOG_LINES_DEFAULT } from "./journal-lines";

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
 * Where a reader of the log stands, as the engine driver wrote it: opaque to the server and the page, handed back to
 * follow on from it with no line lost and none twice.
 */
export const LogCursor = z.string().min(1).max(200).regex(/^[A-Za-z0-9._~-]+$/, { error: "is not a log cursor" });
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

// GET /api/agents/:name/logs/stream?source=&cursor=  (server-sent events)
export const AgentLogStreamQuery = z.strictObject({
  source: LogSource.default("agent"),
  /** A read's or a `lines` event's cursor; without one, only lines written from now on. */
  cursor: LogCursor.optional(),
});
export type AgentLogStreamQuery = z.infer<typeof AgentLogStreamQuery>;

export const FollowAgentLogsInput = z.object({
  name: AgentName,
  source: LogSource,
  cursor: LogCursor.optional(),
});
export type FollowAgentLogsInput = z.input<typeof FollowAgentLogsInput>;

/** A `lines` event of the follow stream: the lines, and the cursor to follow on from after them. */
export const LogLinesEvent = z.object({ lines: z.array(LogLineView), cursor: LogCursor });
export type LogLinesEvent = z.infer<typeof LogLinesEvent>;

/** Events of the follow stream: `ready`, then `lines` batches; `end` when the container stops; `error`. */
export const LogStreamEnd = z.object({ reason: z.enum(["container_stopped", "shutting_down"]) });
export type LogStreamEnd = z.infer<typeof LogStreamEnd>;

// GET /api/diagnostics
export const DiagnosticsView = z.object({
  /** This installation's identity: the label on every container and volume it made (`hive.installation`). */
  installation: z.string(),
  runtime: z.object({ status: z.string(), openLogStreams: z.record(z.string(), z.number()) }),
  /** Streams and long polls open on this process that end with their credential (agent token or session). */
  streams: z.object({ watchedCredentials: z.number() }),
});
export type DiagnosticsView = z.infer<typeof DiagnosticsView>;
