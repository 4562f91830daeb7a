import "server-only";
import type { Logger } from "pino";
import type { HiveApp } from "../app";
import { isHiveError } from "../errors";

const KEEPALIVE_MS = 15_000;

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  "X-Accel-Buffering": "no",
};

export type SseChannel = {
  /** Writes raw SSE text; a client too far behind is dropped instead of buffered without end. */
  send(text: string): void;
  event(name: string, data: unknown, id?: number | string): void;
  close(): void;
  readonly closed: boolean;
};

/** What a stream does when it closes (client gone, server stopping, its own end) and when the server stops. */
export type SseHooks = { onClose?: () => void; onShutdown?: (channel: SseChannel) => void };

/**
 * A server-sent event stream with the plumbing every stream shares: the retry hint, keepalives, closing when the
 * client goes away or the server shuts down, back-pressure, and one close path. Authorise and validate before
 * calling this, so failures are plain JSON errors.
 */
export function openSseStream(
  { app, signal, logger, maxQueuedBytes }: { app: HiveApp; signal: AbortSignal; logger?: Logger; maxQueuedBytes?: number },
  start: (channel: SseChannel) => SseHooks | void,
): Response {
  const encoder = new TextEncoder();
  let closeStream = () => {};
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let state: "open" | "closing" | "closed" = "open";
        let hooks: SseHooks = {};
        const channel: SseChannel = {
          get closed() {
            return state === "closed";
          },
          send(text) {
            if (state === "closed") return;
            if (maxQueuedBytes !== undefined && (controller.desiredSize ?? 0) < -maxQueuedBytes) {
              logger?.warn("stream client too slow; closing its stream");
              close();
              return;
            }
            try {
              controller.enqueue(encoder.encode(text));
            } catch {
              close();
            }
          },
          event(name, data, id) {
            channel.send(`${id === undefined ? "" : `id: ${id}\n`}event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
          },
          close: () => close(),
        };
        const keepalive = setInterval(() => channel.send(`: keepalive ${Date.now()}\n\n`), KEEPALIVE_MS);
        const onShutdown = () => {
          if (hooks.onShutdown) hooks.onShutdown(channel);
          close();
        };
        function close() {
          if (state !== "open") return;
          state = "closing"; // the close hook may still send its last events
          clearInterval(keepalive);
          signal.removeEventListener("abort", onAbort);
          app.shutdownSignal.removeEventListener("abort", onShutdown);
          try {
            hooks.onClose?.();
          } catch (error) {
            logger?.warn({ err: (error as Error).message }, "stream close hook failed");
          }
          state = "closed";
          try {
            controller.close();
          } catch {
            // already closed or cancelled
          }
        }
        // A credential that ended is said before the stream closes, so the client stops instead of reconnecting.
        const onAbort = () => {
          if (isHiveError(signal.reason)) channel.event("error", { code: signal.reason.code, message: signal.reason.message });
          close();
        };
        closeStream = close;
        signal.addEventListener("abort", onAbort, { once: true });
        app.shutdownSignal.addEventListener("abort", onShutdown, { once: true });
        channel.send("retry: 2000\n\n");
        hooks = start(channel) ?? {};
        if (signal.aborted) onAbort();
        else if (app.shutdownSignal.aborted) onShutdown();
      },
      cancel() {
        closeStream();
      },
    },
    maxQueuedBytes === undefined ? undefined : { highWaterMark: 1024 * 1024, size: (chunk) => chunk.byteLength },
  );
  return new Response(body, { headers: SSE_HEADERS });
}
