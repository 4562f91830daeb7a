"use client";

import { createParser } from "eventsource-parser";
import { useEffect, useRef, useState } from "react";

export type LiveStatus = "connecting" | "live" | "reconnecting";

/**
 * Follows /api/stream (SSE over fetch, parsed with eventsource-parser) and calls `onChange` for each change and
 * after every (re)connect, so nothing is missed while the connection was down. Reconnects with backoff.
 */
export function useLiveUpdates(onChange: () => void): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>("connecting");
  const callback = useRef(onChange);
  callback.current = onChange;

  useEffect(() => {
    let stopped = false;
    let controller: AbortController | undefined;
    let attempt = 0;

    async function run() {
      while (!stopped) {
        controller = new AbortController();
        try {
          const response = await fetch("/api/stream", {
            signal: controller.signal,
            cache: "no-store",
            credentials: "same-origin",
            headers: { Accept: "text/event-stream" },
          });
          if (response.status === 401) {
            window.location.assign("/login");
            return;
          }
          if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
          const parser = createParser({
            onEvent(event) {
              if (event.event === "ready") {
                attempt = 0;
                setStatus("live");
                callback.current();
              } else if (event.event === "change") callback.current();
            },
          });
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            parser.feed(value);
          }
        } catch {
          if (stopped) return;
        }
        if (stopped) return;
        setStatus("reconnecting");
        attempt++;
        const delay = Math.min(15_000, 500 * 2 ** Math.min(attempt, 5)) + Math.random() * 300;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
    void run();
    return () => {
      stopped = true;
      controller?.abort();
    };
  }, []);

  return status;
}
