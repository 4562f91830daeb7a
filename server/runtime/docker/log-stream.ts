import "server-only";
import { once } from "node:events";
import type { Readable } from "node:stream";
import type { RawLogLine } from "../types";
import type { LogDemuxer } from "./demultiplexer";
import { classifyEngineError } from "./errors";

/** A log read hands lines on in batches of this many, or after this long. */
const READ_BATCH_LINES = 1_000;
const READ_BATCH_MS = 5;

/**
 * The lines of an engine's log response as they arrive, in batches (a size, or a few milliseconds), not one promise
 * per socket read. The engine flushes after every frame, so the response comes in thousands of tiny chunks: they are
 * taken off the stream in bulk (`read()` joins what is buffered). Failures surface through the iteration (also one
 * emitted after it ended: never an uncaught exception); the stream is destroyed when the iteration ends.
 */
export function readLogBatches(stream: Readable, demuxer: LogDemuxer): AsyncIterable<RawLogLine[]> {
  let queue: RawLogLine[] = [];
  let finished = false;
  let failure: unknown = null;
  let timer: NodeJS.Timeout | undefined;
  let notify: (() => void) | null = null;
  const wake = () => {
    clearTimeout(timer);
    timer = undefined;
    const resume = notify;
    notify = null;
    resume?.();
  };
  stream.on("readable", () => {
    for (let chunk = stream.read() as Buffer | null; chunk !== null; chunk = stream.read() as Buffer | null) {
      for (const line of demuxer.pushRaw(chunk)) queue.push(line);
    }
    if (queue.length >= READ_BATCH_LINES) wake();
    else if (queue.length && !timer) timer = setTimeout(wake, READ_BATCH_MS);
  });
  stream.on("end", () => {
    for (const line of demuxer.flushRaw()) queue.push(line);
    finished = true;
    wake();
  });
  stream.on("error", (error) => {
    failure ??= error;
    finished = true;
    wake();
  });
  stream.on("close", () => {
    if (!stream.readableEnded) failure ??= new Error("the engine closed the log stream early");
    finished = true;
    wake();
  });
  return (async function* () {
    try {
      for (;;) {
        if (queue.length === 0 && !finished) await new Promise<void>((resolve) => (notify = resolve));
        if (queue.length) {
          const batch = queue;
          queue = [];
          yield batch;
        } else if (failure) throw classifyEngineError(failure);
        else if (finished) return;
      }
    } finally {
      clearTimeout(timer);
      stream.destroy();
    }
  })();
}

/**
 * The items an engine stream (events, a followed log) carries, until it ends, fails, or the signal aborts (then it
 * ends quietly). The stream is destroyed, and its close awaited, when the iteration ends.
 */
export async function* readEngineStream<T>(stream: Readable, signal: AbortSignal, onChunk: (chunk: Buffer) => T[], onEnd: () => T[]): AsyncIterable<T> {
  const abort = () => stream.destroy();
  signal.addEventListener("abort", abort, { once: true });
  try {
    for await (const chunk of stream) {
      for (const item of onChunk(chunk as Buffer)) yield item;
    }
    for (const item of onEnd()) yield item;
  } catch (error) {
    if (signal.aborted) return;
    throw classifyEngineError(error);
  } finally {
    signal.removeEventListener("abort", abort);
    stream.destroy();
    if (!stream.closed) await once(stream, "close").catch(() => undefined);
  }
}
