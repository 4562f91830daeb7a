import { createParser } from "eventsource-parser";

export type SseMessage = { id: string | null; event: string; data: string };

/**
 * Reads the server-sent events of a response (parsed by eventsource-parser, as the dashboard's own client does).
 * Returns the events so far once `until` says so, the stream ends or `signal` aborts; throws after `timeoutMs`.
 * The response is closed on return unless `keepOpen` (then the caller ends it with its own AbortController).
 */
export async function readEvents(
  response: Response,
  until: (events: SseMessage[]) => boolean,
  {
    timeoutMs = 15_000,
    signal,
    onEvent,
    keepOpen = false,
  }: { timeoutMs?: number; signal?: AbortSignal; onEvent?: (message: SseMessage) => void; keepOpen?: boolean } = {},
): Promise<SseMessage[]> {
  const events: SseMessage[] = [];
  const parser = createParser({
    onEvent: (message) => {
      const parsed = { id: message.id ?? null, event: message.event ?? "message", data: message.data };
      events.push(parsed);
      onEvent?.(parsed);
    },
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let timedOut = false;
  // Readers that run until their signal aborts (the benchmarks) pass an infinite timeout.
  const timer = Number.isFinite(timeoutMs)
    ? setTimeout(() => {
        timedOut = true;
        void reader.cancel().catch(() => undefined);
      }, timeoutMs)
    : undefined;
  const abort = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener("abort", abort);
  try {
    while (!until(events)) {
      const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (timedOut) throw new Error(`no end after ${timeoutMs} ms; events so far: ${JSON.stringify(events)}`);
      if (chunk.done) break;
      parser.feed(chunk.value);
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", abort);
    if (keepOpen) reader.releaseLock();
    else await reader.cancel().catch(() => undefined);
  }
  return events;
}
