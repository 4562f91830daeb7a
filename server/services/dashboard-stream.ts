import "server-only";
import type { HiveApp } from "../app";
import type { HubMessage } from "./event-hub";

const KEEPALIVE_MS = 15_000;

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  "X-Accel-Buffering": "no",
};

/**
 * An SSE stream of change notices for one operator's page. It ends when the client goes away or the server
 * shuts down; the client reconnects and refetches the state.
 */
export function openDashboardStream({ app, signal }: { app: HiveApp; signal: AbortSignal }): Response {
  const encoder = new TextEncoder();
  let cleanup = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup();
        }
      };
      send(`retry: 2000\nevent: ready\ndata: ${JSON.stringify({ serverTime: new Date().toISOString() })}\n\n`);
      const unsubscribe = app.events.subscribe((message: HubMessage) => {
        send(`event: change\ndata: ${JSON.stringify(message)}\n\n`);
      });
      const keepalive = setInterval(() => send(`: keepalive ${Date.now()}\n\n`), KEEPALIVE_MS);
      const end = () => {
        cleanup();
        try {
          controller.close();
        } catch {
          // already closed
        }
      };
      cleanup = () => {
        clearInterval(keepalive);
        unsubscribe();
        signal.removeEventListener("abort", end);
        app.shutdownSignal.removeEventListener("abort", end);
      };
      signal.addEventListener("abort", end, { once: true });
      app.shutdownSignal.addEventListener("abort", end, { once: true });
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(body, { headers: SSE_HEADERS });
}
