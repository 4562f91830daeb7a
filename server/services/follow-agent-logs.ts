import "server-only";
import type { HiveApp } from "../app";
import { FollowAgentLogsInput, type LogStreamEnd, timestampNanos } from "../contracts/journal";
import { HiveError } from "../errors";
import { toHiveError } from "../http/with-route";
import type { LogLine } from "../runtime/types";
import { engineSince, resumeFilter } from "../views/journal";
import { openSseStream } from "../http/sse";
import { requireRuntime } from "./require-runtime";

/** Lines that arrive together go out as one event; a burst is cut into batches of this size. */
const BATCH_LINES = 500;
const BATCH_DELAY_MS = 10;
/** A client this far behind (bytes queued) is dropped rather than buffered without end. */
const MAX_QUEUED_BYTES = 16 * 1024 * 1024;

/**
 * Follows an agent's log over SSE from the reader's cursor. The agent is checked before the stream opens (so a
 * wrong name is a plain 404); the engine stream is closed when the client goes away, the server shuts down, or
 * the container stops (`end` event; the client reconnects from its cursor when it wants more).
 */
export async function followAgentLogs({
  app,
  input,
  signal,
}: {
  app: HiveApp;
  input: FollowAgentLogsInput;
  signal: AbortSignal;
}): Promise<Response> {
  const { name, source, after, afterCount } = FollowAgentLogsInput.parse(input);
  const runtime = requireRuntime(app);
  const container = await runtime.inspectAgent(name);
  if (!container) throw new HiveError("agent_not_found", `no container for agent ${name}`);
  const from = after === undefined ? null : timestampNanos(after);
  const keep = resumeFilter(after === undefined ? 0 : afterCount);
  const logger = app.logger.child({ component: "log-follow", agent: name });

  const engine = new AbortController();
  return openSseStream({ app, signal, logger, maxQueuedBytes: MAX_QUEUED_BYTES }, (channel) => {
    let pending: LogLine[] = [];
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      clearTimeout(timer);
      timer = undefined;
      if (pending.length) channel.event("lines", pending);
      pending = [];
    };
    channel.event("ready", { containerId: container.containerId });
    void (async () => {
      try {
        const lines = runtime.followLogs(
          name,
          // From the cursor (the engine's since is inclusive; the lines the reader has come first and are dropped);
          // with no cursor, new lines only.
          { tail: from === null ? 0 : "all", since: from === null ? undefined : engineSince(from), timestamps: true, stdout: true, stderr: source === "all" },
          engine.signal,
        );
        for await (const line of lines) {
          if (!keep()) continue;
          pending.push(line);
          if (pending.length >= BATCH_LINES) flush();
          else timer ??= setTimeout(flush, BATCH_DELAY_MS);
        }
        if (!channel.closed) {
          flush();
          channel.event("end", { reason: "container_stopped" } satisfies LogStreamEnd);
        }
      } catch (error) {
        if (!channel.closed && !engine.signal.aborted) {
          const failure = toHiveError(app, error, logger);
          flush();
          channel.event("error", { code: failure.code, message: failure.message });
        }
      } finally {
        channel.close();
      }
    })();
    return {
      onShutdown: () => {
        flush();
        channel.event("end", { reason: "shutting_down" } satisfies LogStreamEnd);
      },
      // Closing for any reason ends the engine stream: no follower outlives its client.
      onClose: () => {
        flush();
        engine.abort();
      },
    };
  });
}
