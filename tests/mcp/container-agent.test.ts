import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitForEngine } from "../helpers/agents";
import { agentPrefix, cleanupAgents, containerLines, engineState, eventually } from "../helpers/docker";
import { dashboardState, operatorFetch, type ServerProcess, spawnAgent, startServer } from "../helpers/server";
import { testImageOfThisScript } from "../helpers/test-image";

// An agent inside a real container speaking MCP to the dashboard: the test image's busybox script (test-agent/agent.sh,
// AGENT_MCP_ASK) initializes and calls ask_operator with busybox wget, at the HIVE_MCP_URL and token it was given.

let server: ServerProcess;
const prefix = agentPrefix();

beforeAll(async () => {
  server = await startServer();
  await waitForEngine(server);
});
afterAll(async () => {
  await server?.stop();
  await cleanupAgents(prefix);
});

describe("an agent in a container", () => {
  it("gets HIVE_MCP_URL, asks the operator through the MCP endpoint, and prints the answer it was given", async () => {
    const name = `${prefix}-mcp`;
    const question = `Which branch should I merge (${prefix})?`;
    await spawnAgent(server, name, { network: "host", env: { AGENT_MCP_ASK: question }, image: testImageOfThisScript() });
    const env = Object.fromEntries((await engineState(name))!.env.map((entry) => entry.split(/=(.*)/s).slice(0, 2)));
    expect(env.HIVE_MCP_URL).toBe(`${server.baseUrl}/api/agent/mcp`);

    const card = await eventually(
      async () => (await dashboardState(server)).questions.pending.find((pending) => pending.agent === name),
      "the agent's question on the dashboard",
      30_000,
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}; the agent printed:\n${(await containerLines(name)).join("\n")}`);
    });
    expect(await containerLines(name)).toContain(`[${name}] mcp server: hive-dashboard`);
    const answered = await operatorFetch(server, `/api/questions/${card.id}/answer`, { method: "POST", body: JSON.stringify({ text: "main, after review" }) });
    expect(answered.status).toBe(200);
    await eventually(async () => (await containerLines(name)).includes(`[${name}] mcp answer: main, after review`), "the answer in the agent's log", 30_000);

    const audit = ((await (await operatorFetch(server, "/api/audit?limit=50")).json()) as { entries: Record<string, any>[] }).entries;
    expect(audit).toEqual(expect.arrayContaining([expect.objectContaining({ actor: `agent:${name}`, action: "question.ask", detail: expect.objectContaining({ via: "mcp", questionId: card.id }) })]));
  });
});
