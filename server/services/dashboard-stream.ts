import "server-only";
import type { HiveApp } from "../app";
import { openSseStream } from "../http/sse";

/**
 * An SSE stream of change notices for one operator's page. It ends when the client goes away or the server
 * shuts down; the client reconnects and refetches the state.
 */
export function openDashboardStream({ app, signal }: { app: HiveApp; signal: AbortSignal }): Response {
  return openSseStream({ app, signal }, (channel) => {
    channel.event("ready", { serverTime: new Date().toISOString() });
    const unsubscribe = app.events.subscribe((message) => channel.event("change", message));
    return { onClose: unsubscribe };
  });
}
