import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnTestAgent, waitForEngine } from "../helpers/agents";
import { agentPrefix, cleanupAgents, eventually } from "../helpers/docker";
import { ensureTestImage } from "../helpers/test-image";
import { operatorFetch, type ServerProcess, startServer } from "../helpers/server";

type Crash = { id: number; containerId: string; exitCode: number | null; lastLines: { stream: string; text: string; timestamp: string | null }[] };

const prefix = agentPrefix();
let server: ServerProcess;

async function crashes(name: string): Promise<Crash[]> {
  const response = await operatorFetch(server, `/api/agents/${name}/crashes`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { crashes: Crash[] }).crashes;
}

beforeAll(async () => {
  // The image is shared with other checkouts, which may have rebuilt it without the switches these tests use.
  await ensureTestImage();
  server = await startServer();
  await waitForEngine(server);
});
afterAll(async () => {
  await server?.stop();
  await cleanupAgents(prefix);
});

describe("a crashed agent's last lines", () => {
  it("stay readable after the agent is rebuilt and after it is destroyed, while its live log is gone", async () => {
    const name = `${prefix}-crash`;
    const first = await spawnTestAgent(server, name, { AGENT_BOOT_LINES: "last words before the crash", AGENT_EXIT_AFTER_S: "2", AGENT_EXIT_CODE: "3" });
    const [crash] = await eventually(async () => {
      const list = await crashes(name);
      return list.length > 0 && list[0]!.lastLines.length > 0 ? list : null; // the lines may follow by a moment
    }, "the crash record with its last lines", 20_000);
    expect(crash!.containerId).toBe(first.containerId);
    expect(crash!.exitCode).toBe(3);
    const texts = crash!.lastLines.map((line) => line.text);
    expect(texts).toContain("last words before the crash");
    expect(texts).toContain(`[${name}] exiting with code 3 after 2s`);
    expect(crash!.lastLines.find((line) => line.text.startsWith(`[${name}] exiting`))!.stream).toBe("stderr");

    const rebuilt = await operatorFetch(server, `/api/agents/${name}/rebuild`, { method: "POST" });
    expect(rebuilt.status, await rebuilt.clone().text()).toBe(200);
    const after = (await rebuilt.json()) as { agent: { containerId: string } };
    expect(after.agent.containerId).not.toBe(first.containerId);
    const kept = (await crashes(name)).find((entry) => entry.id === crash!.id);
    expect(kept?.lastLines).toEqual(crash!.lastLines);

    const destroyed = await operatorFetch(server, `/api/agents/${name}`, { method: "DELETE" });
    expect(destroyed.status, await destroyed.clone().text()).toBe(200);
    const live = await operatorFetch(server, `/api/agents/${name}/logs`);
    expect(live.status).toBe(404);
    expect((await crashes(name)).find((entry) => entry.id === crash!.id)?.lastLines).toEqual(crash!.lastLines);
  });
});
