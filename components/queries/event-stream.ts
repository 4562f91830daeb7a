"use client";

import { createParser, type EventSourceMessage } from "eventsource-parser";
import { appPath } from "../base-path";

/**
 * Opens one of the dashboard's event streams (`url` is the route's own path; the base path is added here). A 401 (the session ended) sends the page to the login form and
 * resolves to null; other answers are returned for the caller to judge.
 */
export async function openEventStream(url: string, signal: AbortSignal): Promise<Response | null> {
  const response = await fetch(appPath(url), { signal, cache: "no-store", credentials: "same-origin", headers: { Accept: "text/event-stream" } });
  if (response.status !== 401) return response;
  window.location.assign(appPath("/login"));
  return null;
}

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
