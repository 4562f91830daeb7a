"use client";

import { useEffect, useRef, useState } from "react";
import { consumeEventStream, openEventStream, reconnectDelay } from "./event-stream";
import type { LogCursor, LogLineData, LogLinesEvent, LogSource } from "@/server/contracts/journal";

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
 * Follows /api/agents/:name/logs/stream (SSE over fetch, parsed with eventsource-parser) while enabled. The first
 * connect goes on from `from` (the read's cursor); each reconnect from the cursor of the last lines received, so
 * nothing is lost or repeated. Cursors are the server's: handed back, never looked into.
 * Aborting (disabled, unmounted, source or restart key changed) closes the request, and with it the engine stream.
 */
export function useFollowLogs({
  name,
  source,
  enabled,
  restartKey,
  from,
  onLines,
}: {
  name: string;
  source: LogSource;
  enabled: boolean;
  /** A change reconnects at once (a fresh fetch, a restarted container), from `from` again. */
  restartKey: string;
  from: LogCursor | null;
  onLines: (lines: LogLineData[]) => void;
}): FollowState {
  const [state, setState] = useState<FollowState>({ status: "off" });
  const callbacks = useRef({ from, onLines });
  callbacks.current = { from, onLines };

  useEffect(() => {
    if (!enabled) {
      setState({ status: "off" });
      return;
    }
    let stopped = false;
    const controller = new AbortController();
    let attempt = 0;
    let position = callbacks.current.from;

    async function connect(): Promise<"retry" | "stop"> {
      const query = new URLSearchParams({ source });
      if (position) query.set("cursor", position);
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
          const batch = JSON.parse(event.data) as LogLinesEvent;
          position = batch.cursor;
          callbacks.current.onLines(batch.lines as LogLineData[]);
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
