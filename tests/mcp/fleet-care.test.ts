import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnTestAgent, waitForEngine } from "../helpers/agents";
import { agentPrefix, cleanupAgents, engineState, eventually } from "../helpers/docker";
import { callTool, connectMcp, errorCodeOf } from "../helpers/mcp";
import { agentFetch, dashboardState, mintAgentToken, operatorFetch, type ServerProcess, startServer, viewOf } from "../helpers/server";

// A manager's day-to-day care of the fleet, over MCP and the REST agent API, against real containers: the same
// in-flight slot and pill as an operator's action, with the manager's name on the pill, the audit and the inbox note.

let server: ServerProcess;
let manager: Client;
let managerToken: string;
const prefix = agentPrefix();
const worker = `${prefix}-worker`;
const other = `${prefix}-other`;
const boss = `${prefix}-boss`;

beforeAll(async () => {
  server = await startServer();
  await waitForEngine(server);
  // The worker takes 3 s to stop, so its restart holds the slot long enough to be seen.
  await Promise.all([spawnTestAgent(server, worker, { AGENT_STOP_DELAY_S: "3" }), spawnTestAgent(server, other)]);
  managerToken = (await mintAgentToken(server, boss, "manager")).token;
  manager = await connectMcp(server, managerToken);
});
afterAll(async () => {
  await manager?.close();
  await server?.stop();
  await cleanupAgents(prefix);
});

const audit = async () => ((await (await operatorFetch(server, "/api/audit?limit=200")).json()) as { entries: Record<string, any>[] }).entries;

describe("a manager looks after the fleet", () => {
  it("lists every agent with observed and desired state, over MCP and REST alike", async () => {
    const listed = await callTool(manager, "list_agents");
    expect(listed.result.isError).toBeFalsy();
    const mine = (listed.structured.agents as { name: string }[]).filter((agent) => agent.name.startsWith(prefix));
    expect(mine).toEqual([
      expect.objectContaining({ name: other, state: "running", desiredState: "running", role: "agent", pending: null }),
      expect.objectContaining({ name: worker, state: "running", desiredState: "running", role: "agent", pending: null }),
    ]);
    expect(listed.text).toContain(`${worker} (agent): running, desired running`);
    const rest = await agentFetch(server, managerToken, "/api/agent/agents");
    expect(rest.status).toBe(200);
    const restNames = ((await rest.json()).agents as { name: string }[]).map((agent) => agent.name).filter((name) => name.startsWith(prefix));
    expect(restNames).toEqual([other, worker]);
  });

  it("restarts an agent holding its in-flight slot: the pill names the manager and an operator's action meanwhile gets 409", async () => {
    const restarting = callTool(manager, "restart_agent", { name: worker });
    const pill = await eventually(async () => (await viewOf(server, worker))?.pending, "the restart pill");
    expect(pill).toMatchObject({ kind: "restarting", action: "restart", startedBy: `agent:${boss}` });
    const refused = await operatorFetch(server, `/api/agents/${worker}/stop`, { method: "POST", body: "{}" });
    expect(refused.status).toBe(409);
    expect((await refused.json()).error).toMatchObject({ code: "action_in_flight", startedBy: `agent:${boss}`, action: "restart" });
    const restarted = await restarting;
    expect(restarted.result.isError).toBeFalsy();
    expect(restarted.structured.agent).toMatchObject({ name: worker, state: "running", desiredState: "running", desiredChangedBy: `agent:${boss}`, pending: null });
    expect(restarted.text).toMatch(new RegExp(`^Restarted: ${worker} \\(agent\\): running`));
    // The restarted agent's inbox says who did it.
    const workerToken = (await mintAgentToken(server, worker)).token;
    const inbox = await (await agentFetch(server, workerToken, "/api/agent/inbox")).json();
    expect(inbox.events).toEqual(expect.arrayContaining([expect.objectContaining({ kind: "system", payload: expect.objectContaining({ action: "restarted", by: `agent:${boss}` }) })]));
  });

  it("kills an agent (it stays down: desired stopped) and starts it again through the REST agent API", async () => {
    const killed = await callTool(manager, "kill_agent", { name: other });
    expect(killed.structured.agent).toMatchObject({ name: other, state: "exited", desiredState: "stopped", desiredChangedBy: `agent:${boss}` });
    expect((await engineState(other))?.status).toBe("exited");
    const started = await agentFetch(server, managerToken, `/api/agent/agents/${other}/start`, { method: "POST" });
    expect(started.status).toBe(200);
    expect((await started.json()).agent).toMatchObject({ name: other, state: "running", desiredState: "running", desiredChangedBy: `agent:${boss}` });
    const restarted = await agentFetch(server, managerToken, `/api/agent/agents/${other}/restart`, { method: "POST", body: JSON.stringify({ timeoutSeconds: 1 }) });
    expect(restarted.status).toBe(200);
    const started2 = await callTool(manager, "start_agent", { name: other });
    expect(started2.structured.agent).toMatchObject({ name: other, state: "running" });
    expect((await agentFetch(server, managerToken, `/api/agent/agents/${other}/kill`, { method: "POST" })).status).toBe(200);
    expect((await viewOf(server, other))).toMatchObject({ state: "exited", desiredState: "stopped" });

    const rows = await audit();
    const byBoss = rows.filter((row) => row.actor === `agent:${boss}` && row.result === "ok").map((row) => `${row.action} ${row.target} ${row.detail?.via ?? "rest"}`);
    expect(byBoss).toEqual(
      expect.arrayContaining([
        `agent.restart ${worker} mcp`,
        `agent.kill ${other} mcp`,
        `agent.start ${other} rest`,
        `agent.restart ${other} rest`,
        `agent.start ${other} mcp`,
        `agent.kill ${other} rest`,
      ]),
    );
  });

  it("names an unknown agent not found, refuses itself, and leaves spawns to the approval queue", async () => {
    expect(errorCodeOf(await callTool(manager, "start_agent", { name: `${prefix}-ghost` }))).toBe("agent_not_found");
    const self = await agentFetch(server, managerToken, `/api/agent/agents/${boss}/restart`, { method: "POST", body: "{}" });
    expect(self.status).toBe(403);
    expect((await self.json()).error.message).toBe(`a manager may not restart itself (${boss}); ask the operator`);
    const spawn = await callTool(manager, "request_spawn", { name: `${prefix}-new`, config: { image: "hive-test-agent:latest", network: "none" }, description: "more hands" });
    expect(spawn.structured).toMatchObject({ status: "pending", kind: "spawn" });
    expect((await dashboardState(server)).containers?.some((container) => container.name === `${prefix}-new`)).toBe(false);
  });
});
