import "server-only";
import type { CallContext } from "../context";
import { isHiveError } from "../errors";
import type { StreamEvent } from "../streams/stream-event";
import { endRequest } from "./request-scope";

const KEEPALIVE_MS = 15_000;

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  "X-Accel-Buffering": "no",
};

/**
 * Sends a service's stream of events as server-sent events, with the plumbing every stream shares: the retry hint,
 * keepalives, back-pressure (a client too far behind is dropped instead of buffered without end) and one close path.
 * The stream ends when the events end (the service ends them at shutdown), or when the client goes away: then the
 * request's signal aborts and the events' iterator is returned, so whatever it holds open is closed.
 * Authorise and validate before calling the service, so failures are plain JSON errors.
 */
export function sseResponse(ctx: CallContext, events: AsyncIterable<StreamEvent>, options: { maxQueuedBytes?: number } = {}): Response {
  const { maxQueuedBytes } = options;
  const encoder = new TextEncoder();
  const iterator = events[Symbol.asyncIterator]();
  const signal = ctx.signal;
  let close = () => {};
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let closed = false;
        const send = (text: string) => {
          if (closed) return;
          if (maxQueuedBytes !== undefined && (controller.desiredSize ?? 0) < -maxQueuedBytes) {
            ctx.logger.warn("stream client too slow; closing its stream");
            close();
            return;
          }
          try {
            controller.enqueue(encoder.encode(text));
          } catch {
            close();
          }
        };
        const keepalive = setInterval(() => send(`: keepalive ${Date.now()}\n\n`), KEEPALIVE_MS);
        close = () => {
          if (closed) return;
          closed = true;
          clearInterval(keepalive);
          signal.removeEventListener("abort", onAbort);
          endRequest(signal);
          void iterator.return?.()?.catch(() => undefined);
          try {
            controller.close();
          } catch {
            // already closed or cancelled
          }
        };
        // A credential that ended is said before the stream closes, so the client stops instead of reconnecting.
        const onAbort = () => {
          const reason: unknown = signal.reason;
          if (isHiveError(reason)) send(`event: error\ndata: ${JSON.stringify({ code: reason.code, message: reason.message })}\n\n`);
          close();
        };
        signal.addEventListener("abort", onAbort, { once: true });
        send("retry: 2000\n\n");
        void (async () => {
          try {
            for (let next = await iterator.next(); !next.done && !closed; next = await iterator.next()) {
              const { type, data, id } = next.value;
              send(`${id === undefined ? "" : `id: ${id}\n`}event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
            }
          } catch (error) {
            if (!closed) ctx.logger.warn({ err: (error as Error).message }, "event stream failed");
          } finally {
            close();
          }
        })();
        if (signal.aborted) onAbort();
      },
      cancel() {
        close();
      },
    },
    maxQueuedBytes === undefined ? undefined : { highWaterMark: 1024 * 1024, size: (chunk) => chunk.byteLength },
  );
  return new Response(body, { headers: SSE_HEADERS });
}
