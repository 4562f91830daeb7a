import "server-only";
import type { HiveApp } from "../app";
import { FollowAgentLogsInput, type LogStreamEnd, timestampNanos } from "../contracts/journal";
import { HiveError } from "../errors";
import { toHiveError } from "../http/with-route";
import type { LogLine } from "../runtime/types";
import { engineSince, resumeFilter } from "../views/journal";
import { SSE_HEADERS } from "./dashboard-stream";
import { requireRuntime } from "./require-runtime";

const KEEPALIVE_MS = 15_000;
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

  const encoder = new TextEncoder();
  const engine = new AbortController();
  let cleanup = () => {};
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let closed = false;
        const send = (text: string) => {
          if (closed) return;
          if ((controller.desiredSize ?? 0) < -MAX_QUEUED_BYTES) {
            logger.warn("log follower too slow; closing its stream");
            finish();
            return;
          }
          try {
            controller.enqueue(encoder.encode(text));
          } catch {
            finish();
          }
        };
        const event = (name: string, data: unknown) => send(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
        let pending: LogLine[] = [];
        let timer: NodeJS.Timeout | undefined;
        const flush = () => {
          clearTimeout(timer);
          timer = undefined;
          if (pending.length) event("lines", pending);
          pending = [];
        };
        const keepalive = setInterval(() => send(`: keepalive ${Date.now()}\n\n`), KEEPALIVE_MS);
        const finish = () => {
          if (closed) return;
          flush();
          closed = true;
          cleanup();
          try {
            controller.close();
          } catch {
            // already closed or cancelled
          }
        };
        const onShutdown = () => {
          flush();
          event("end", { reason: "shutting_down" } satisfies LogStreamEnd);
          finish();
        };
        cleanup = () => {
          clearInterval(keepalive);
          clearTimeout(timer);
          engine.abort();
          signal.removeEventListener("abort", finish);
          app.shutdownSignal.removeEventListener("abort", onShutdown);
        };
        signal.addEventListener("abort", finish, { once: true });
        app.shutdownSignal.addEventListener("abort", onShutdown, { once: true });
        if (signal.aborted) return finish();

        send(`retry: 2000\n\n`);
        event("ready", { containerId: container.containerId });
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
            if (!closed) {
              flush();
              event("end", { reason: "container_stopped" } satisfies LogStreamEnd);
            }
          } catch (error) {
            if (!closed && !engine.signal.aborted) {
              const failure = toHiveError(app, error, logger);
              flush();
              event("error", { code: failure.code, message: failure.message });
            }
          } finally {
            finish();
          }
        })();
      },
      cancel() {
        cleanup();
      },
    },
    { highWaterMark: 1024 * 1024, size: (chunk) => chunk.byteLength },
  );
  return new Response(body, { headers: SSE_HEADERS });
}
