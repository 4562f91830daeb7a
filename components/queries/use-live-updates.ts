"use client";

import { useEffect, useRef, useState } from "react";
import { consumeEventStream, openEventStream, reconnectDelay } from "./event-stream";

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
          const response = await openEventStream("/api/stream", controller.signal);
          if (!response) return;
          if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
          await consumeEventStream(response.body, (event) => {
            if (event.event === "ready") {
              attempt = 0;
              setStatus("live");
              callback.current();
            } else if (event.event === "change") callback.current();
          });
        } catch {
          if (stopped) return;
        }
        if (stopped) return;
        setStatus("reconnecting");
        attempt++;
        await new Promise((resolve) => setTimeout(resolve, reconnectDelay(attempt, 15_000)));
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
