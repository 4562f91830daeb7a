import "server-only";
import type { ServiceCall } from "../../context";
import { FollowAgentLogsInput, type LogLinesEvent, type LogStreamEnd } from "../../contracts/journal";
import { HiveError } from "../../errors";
import { toHiveError } from "../../failures";
import type { LogLine } from "../../runtime/types";
import { EventQueue } from "../../streams/event-queue";
import type { StreamEvent } from "../../streams/stream-event";
import { requireRuntime } from "../shared/require-runtime";

/** Lines that arrive together go out as one event; a burst goes out once it holds this many. */
const BATCH_LINES = 500;
const BATCH_DELAY_MS = 10;

/**
 * Follows an agent's log from the reader's cursor: `ready`, then `lines` batches (each with the cursor after it); `end` when the agent stops (the
 * client reconnects from its cursor when it wants more) or the server shuts down; `error` when the engine fails.
 * The agent is checked before any event (so a wrong name is a plain 404); the engine stream is closed when the
 * caller goes away, the server shuts down, or the agent stops.
 */
export async function followAgentLogs({ ctx, input }: ServiceCall<FollowAgentLogsInput>): Promise<AsyncIterable<StreamEvent>> {
  const { name, source, cursor } = FollowAgentLogsInput.parse(input);
  const runtime = requireRuntime(ctx);
  const container = await runtime.inspectAgent(name);
  if (!container) throw new HiveError("agent_not_found", `no container for agent ${name}`);
  // Asked for before the stream opens: a cursor the driver did not make is a plain 400.
  const engine = new AbortController();
  const batches = runtime.followLogs(name, { stdout: true, stderr: source === "all", from: cursor }, engine.signal);
  const logger = ctx.logger.child({ component: "log-follow", agent: name });

  return (async function* () {
    const events = new EventQueue<StreamEvent>();
    let pending: LogLine[] = [];
    let position = cursor;
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      clearTimeout(timer);
      timer = undefined;
      if (pending.length) events.push({ type: "lines", data: { lines: pending, cursor: position! } satisfies LogLinesEvent });
      pending = [];
    };
    const finish = (end?: StreamEvent) => {
      if (events.closed) return;
      flush();
      if (end) events.push(end);
      events.end();
      engine.abort();
    };
    const onShutdown = () => finish({ type: "end", data: { reason: "shutting_down" } satisfies LogStreamEnd });
    const onGone = () => finish();
    ctx.shutdownSignal.addEventListener("abort", onShutdown, { once: true });
    ctx.signal.addEventListener("abort", onGone, { once: true });
    void (async () => {
      try {
        for await (const batch of batches) {
          for (const line of batch.lines) pending.push(line);
          position = batch.cursor;
          if (pending.length >= BATCH_LINES) flush();
          else timer ??= setTimeout(flush, BATCH_DELAY_MS);
        }
        finish({ type: "end", data: { reason: "container_stopped" } satisfies LogStreamEnd });
      } catch (error) {
        if (engine.signal.aborted) return finish();
        const failure = toHiveError(error, { engine: ctx.engine, logger });
        finish({ type: "error", data: { code: failure.code, message: failure.message } });
      }
    })();
    try {
      yield { type: "ready", data: { containerId: container.containerId } };
      if (ctx.shutdownSignal.aborted) onShutdown();
      if (ctx.signal.aborted) onGone();
      yield* events;
    } finally {
      // Closing for any reason ends the engine stream: no follower outlives its client.
      ctx.shutdownSignal.removeEventListener("abort", onShutdown);
      ctx.signal.removeEventListener("abort", onGone);
      finish();
    }
  })();
}
