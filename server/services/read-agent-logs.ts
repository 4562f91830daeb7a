import "server-only";
import type { HiveApp } from "../app";
import { LogCursorBuilder, ReadAgentLogsInput } from "../contracts/journal";
import { HiveError } from "../errors";
import type { RawLogLine } from "../runtime/types";
import { JsonBytes } from "../views/json-bytes";
import { cursorAfter } from "../views/journal";
import { requireRuntime } from "./require-runtime";

/** Bytes of JSON gathered before a write. */
const FLUSH_BYTES = 64 * 1024;
/** Engine stamps are digits and punctuation: written as they are. */
const STAMP = /^[0-9T:.Z+-]+$/;

/** The JSON every line repeats, as bytes made once: each line's object up to its text, and after it. */
const ascii = (text: string) => Buffer.from(text, "latin1");
const OPEN = {
  first: { stdout: ascii('{"stream":"stdout","text":'), stderr: ascii('{"stream":"stderr","text":') },
  next: { stdout: ascii(',{"stream":"stdout","text":'), stderr: ascii(',{"stream":"stderr","text":') },
};
const NO_STAMP = ascii(',"timestamp":null}');
const STAMP_OPEN = ascii(',"timestamp":"');
const STAMP_CLOSE = ascii('"}');

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
  let batches: AsyncIterable<RawLogLine[]>;
  try {
    batches = await runtime.readLogs(name, { tail: requested, timestamps: true, stdout: true, stderr: source === "all" }, engine.signal);
  } catch (error) {
    signal.removeEventListener("abort", stop);
    // A client that left before the engine answered is not an engine failure.
    if (signal.aborted) throw new HiveError("invalid_request", "the client went away before the log was read");
    throw error;
  }
  const head = `{"agent":${JSON.stringify(name)},"source":"${source}","requested":${requested},"lines":[`;
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const json = new JsonBytes();
      json.text(head);
      let first = true;
      // The cursor needs the stamps (of the last second of lines, but which those are is known only at the end):
      // each is parsed as its line passes, while the engine is still sending.
      const cursor = new LogCursorBuilder();
      try {
        for await (const batch of batches) {
          for (const line of batch) {
            json.bytes((first ? OPEN.first : OPEN.next)[line.stream]);
            json.string(line.text);
            if (!timestamps || !line.timestamp) json.bytes(NO_STAMP);
            else if (STAMP.test(line.timestamp)) {
              json.bytes(STAMP_OPEN);
              json.ascii(line.timestamp);
              json.bytes(STAMP_CLOSE);
            } else json.text(`,"timestamp":${JSON.stringify(line.timestamp)}}`);
            first = false;
            cursor.add(line.timestamp);
          }
          // The engine's batches are small: the answer goes out in larger writes.
          if (json.size >= FLUSH_BYTES) controller.enqueue(json.take());
        }
        json.ascii(`],"cursor":${JSON.stringify(cursorAfter(cursor.cursor(), startedAt))}}`);
        controller.enqueue(json.take());
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
