import "server-only";
import type { HiveApp } from "../app";
import { ReadAgentLogsInput } from "../contracts/journal";
import type { LogLine } from "../runtime/types";
import { cursorAfter } from "../views/journal";
import { requireRuntime } from "./require-runtime";

/** Characters of JSON gathered before a write. */
const FLUSH_CHARS = 64 * 1024;

/**
 * The last lines of an agent's container log, streamed from the engine into the JSON answer as they arrive (so
 * a 5000-line read costs little more than the engine's own). `lines` counts the log's last lines as the engine
 * does, over both streams; `source` then selects: `agent` answers the stdout lines among them.
 * The agent is resolved before the answer starts: a missing container or a down engine is a plain JSON error.
 * Shape: { agent, source, requested, lines: [{ stream, text, timestamp }], cursor: { after, count } }.
 */
export async function readAgentLogs({ app, input, signal }: { app: HiveApp; input: ReadAgentLogsInput; signal: AbortSignal }): Promise<Response> {
  const { name, lines: requested, source, timestamps } = ReadAgentLogsInput.parse(input);
  const runtime = requireRuntime(app);
  const startedAt = Date.now();
  const engine = new AbortController();
  const stop = () => engine.abort();
  signal.addEventListener("abort", stop, { once: true });
  // Stamps are always read: they make the cursor the follow stream continues from.
  let batches: AsyncIterable<LogLine[]>;
  try {
    batches = await runtime.readLogs(name, { tail: requested, timestamps: true, stdout: true, stderr: source === "all" }, engine.signal);
  } catch (error) {
    signal.removeEventListener("abort", stop);
    throw error;
  }
  const encoder = new TextEncoder();
  const head = `{"agent":${JSON.stringify(name)},"source":"${source}","requested":${requested},"lines":[`;
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      let first = true;
      // The cursor needs the last line and how many before it share its stamp.
      let last: LogLine[] = [];
      // The engine sends a frame per line, so batches are small: the answer goes out in larger writes.
      let pending = head;
      const flush = () => {
        if (pending) controller.enqueue(encoder.encode(pending));
        pending = "";
      };
      try {
        for await (const batch of batches) {
          for (const line of batch) {
            const stamp = timestamps && line.timestamp ? JSON.stringify(line.timestamp) : "null";
            pending += `${first ? "" : ","}{"stream":"${line.stream}","text":${JSON.stringify(line.text)},"timestamp":${stamp}}`;
            first = false;
            if (last.length && last[0]!.timestamp !== line.timestamp) last = [];
            last.push(line);
          }
          if (pending.length >= FLUSH_CHARS) flush();
        }
        pending += `],"cursor":${JSON.stringify(cursorAfter(last, startedAt))}}`;
        flush();
        controller.close();
      } catch (error) {
        // The status is already sent: a cut-off body (invalid JSON) is how the failure reaches the client.
        if (!signal.aborted) app.logger.warn({ agent: name, err: (error as Error).message }, "log read failed mid-answer");
        try {
          controller.error(error);
        } catch {
          // the client is gone already
        }
      } finally {
        signal.removeEventListener("abort", stop);
      }
    },
    cancel() {
      engine.abort();
    },
  });
  return new Response(body, { headers: { "Content-Type": "application/json; charset=utf-8" } });
}
