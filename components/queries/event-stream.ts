"use client";

import { createParser, type EventSourceMessage } from "eventsource-parser";

/** Reads a server-sent event response to its end, handing each parsed event on. */
export async function consumeEventStream(body: NonNullable<Response["body"]>, onEvent: (event: EventSourceMessage) => void): Promise<void> {
  const parser = createParser({ onEvent });
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    parser.feed(value);
  }
}

/** Reconnect backoff: 1 s doubling (with jitter) up to `capMs`. */
export const reconnectDelay = (attempt: number, capMs: number) => Math.min(capMs, 500 * 2 ** Math.min(attempt, 5)) + Math.random() * 300;
