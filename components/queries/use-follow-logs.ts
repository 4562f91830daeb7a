"use client";

import { useEffect, useRef, useState } from "react";
import { consumeEventStream, openEventStream, reconnectDelay } from "./event-stream";
import type { LogCursor, LogLineData, LogSource } from "@/server/contracts/journal";

export type FollowState =
  | { status: "off" }
  | { status: "connecting" }
  | { status: "following" }
  /** The container stopped: the stream ended and reconnects from the cursor (it resumes once the agent runs). */
  | { status: "waiting" }
  | { status: "error"; message: string }
  /** The agent has no container any more: following stops. */
  | { status: "gone"; message: string };

/**
 * Follows /api/agents/:name/logs/stream (SSE over fetch, parsed with eventsource-parser) while enabled. Each
 * (re)connect continues from `cursor()`, the position of the lines the viewer holds, so nothing is lost or repeated.
 * Aborting (disabled, unmounted, source or restart key changed) closes the request, and with it the engine stream.
 */
export function useFollowLogs({
  name,
  source,
  enabled,
  restartKey,
  cursor,
  onLines,
}: {
  name: string;
  source: LogSource;
  enabled: boolean;
  /** A change reconnects at once (a fresh fetch, a restarted container). */
  restartKey: string;
  cursor: () => LogCursor | null;
  onLines: (lines: LogLineData[]) => void;
}): FollowState {
  const [state, setState] = useState<FollowState>({ status: "off" });
  const callbacks = useRef({ cursor, onLines });
  callbacks.current = { cursor, onLines };

  useEffect(() => {
    if (!enabled) {
      setState({ status: "off" });
      return;
    }
    let stopped = false;
    const controller = new AbortController();
    let attempt = 0;

    async function connect(): Promise<"retry" | "stop"> {
      const position = callbacks.current.cursor();
      const query = new URLSearchParams({ source });
      if (position) {
        query.set("after", position.after);
        query.set("afterCount", String(position.count));
      }
      const response = await openEventStream(`/api/agents/${encodeURIComponent(name)}/logs/stream?${query}`, controller.signal);
      if (!response) return "stop";
      if (!response.ok || !response.body) {
        const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
        const message = body?.error?.message ?? `the server answered ${response.status}`;
        if (response.status === 404) {
          setState({ status: "gone", message });
          return "stop";
        }
        setState({ status: "error", message });
        return "retry";
      }
      await consumeEventStream(response.body, (event) => {
        if (event.event === "ready") {
          setState({ status: "following" });
        } else if (event.event === "lines") {
          // Backoff resets on lines, not on connect: a stopped container answers `ready` then `end` at once.
          attempt = 0;
          callbacks.current.onLines(JSON.parse(event.data) as LogLineData[]);
        } else if (event.event === "end") {
          setState({ status: "waiting" });
        } else if (event.event === "error") {
          const failure = JSON.parse(event.data) as { message?: string };
          setState({ status: "error", message: failure.message ?? "the log stream failed" });
        }
      });
      return "retry";
    }

    async function run() {
      setState({ status: "connecting" });
      while (!stopped) {
        let outcome: "retry" | "stop" = "retry";
        try {
          outcome = await connect();
        } catch (error) {
          if (stopped) return;
          setState({ status: "error", message: (error as Error).message || "the log stream was interrupted" });
        }
        if (stopped || outcome === "stop") return;
        attempt++;
        await new Promise((resolve) => setTimeout(resolve, reconnectDelay(attempt, 10_000)));
      }
    }
    void run();
    return () => {
      stopped = true;
      controller.abort();
    };
  }, [name, source, enabled, restartKey]);

  return state;
}
