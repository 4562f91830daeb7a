import { expect } from "vitest";
import { TEST_IMAGE } from "./docker";
import { operatorFetch, type ServerProcess } from "./server";

/** Spawns a test agent through the API (no network), with the test agent's switches in `env`. */
export async function spawnTestAgent(server: ServerProcess, name: string, env: Record<string, string> = {}) {
  const response = await operatorFetch(server, "/api/agents", {
    method: "POST",
    body: JSON.stringify({ name, image: TEST_IMAGE, network: "none", env }),
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return ((await response.json()) as { agent: { containerId: string } }).agent;
}

type SseEvent = { event: string; data: string };

/** Reads an SSE response body event by event, until `until` returns true, the stream ends or the signal aborts. */
export async function readEvents(response: Response, until: (event: SseEvent, all: SseEvent[]) => boolean, timeoutMs = 15_000): Promise<SseEvent[]> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: SseEvent[] = [];
  let buffer = "";
  const deadline = setTimeout(() => void reader.cancel(new Error("timed out")), timeoutMs);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return events;
      buffer += value;
      let split: number;
      while ((split = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, split);
        buffer = buffer.slice(split + 2);
        let event = "message";
        const data: string[] = [];
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
        }
        if (data.length === 0) continue;
        const parsed = { event, data: data.join("\n") };
        events.push(parsed);
        if (until(parsed, events)) return events;
      }
    }
  } finally {
    clearTimeout(deadline);
    reader.releaseLock();
  }
}

/** Waits until the server's engine monitor reports the engine up (the first probe runs after the port opens). */
export async function waitForEngine(server: ServerProcess, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const health = (await (await fetch(`${server.baseUrl}/dashboard-healthz`)).json()) as { runtime: { status: string } };
    if (health.runtime.status === "up") return;
    if (Date.now() > deadline) throw new Error(`the engine monitor is ${health.runtime.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
