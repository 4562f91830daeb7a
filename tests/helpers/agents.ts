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
