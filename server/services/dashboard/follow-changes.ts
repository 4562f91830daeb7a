import "server-only";
import type { ServiceCall } from "../../context";
import type { HubMessage } from "../../events/event-hub";
import { EventQueue } from "../../streams/event-queue";
import type { StreamEvent } from "../../streams/stream-event";

/**
 * Change notices for one operator's page: `ready`, then a `change` per notice. It ends when the caller goes away or
 * the server shuts down; the client reconnects and refetches the state.
 */
export function followChanges({ ctx }: ServiceCall<void>): AsyncIterable<StreamEvent> {
  return (async function* () {
    const queue = new EventQueue<HubMessage>(AbortSignal.any([ctx.signal, ctx.shutdownSignal]));
    const unsubscribe = ctx.events.subscribe((message) => queue.push(message));
    try {
      yield { type: "ready", data: { serverTime: new Date().toISOString() } };
      for await (const message of queue) yield { type: "change", data: message };
    } finally {
      unsubscribe();
    }
  })();
}
