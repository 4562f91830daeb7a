import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentPrefix, bootCount, cleanupAgents, docker, engineState, eventually, TEST_IMAGE } from "../helpers/docker";
import { agentFetch, dashboardState, mintAgentToken, operatorFetch, type ServerProcess, spawnAgent, startServer } from "../helpers/server";

let server: ServerProcess;
const prefix = agentPrefix();

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
  await cleanupAgents(prefix);
});

type Approval = { id: string; agent: string; status: string; failure: string | null };
const allApprovals = async () => {
  const { approvals } = (await dashboardState(server)) as unknown as { approvals: { pending: Approval[]; recent: Approval[] } };
  return [...approvals.pending, ...approvals.recent];
};
const requestSpawn = (token: string, name: string) =>
  agentFetch(server, token, "/api/agent/approvals", {
    method: "POST",
    body: JSON.stringify({ kind: "spawn", name, config: { image: TEST_IMAGE, network: "none" }, description: "a helper" }),
  });
const destroy = async (name: string) => {
  expect((await operatorFetch(server, `/api/agents/${name}`, { method: "DELETE" })).status).toBe(200);
  await eventually(async () => (await engineState(name)) === null, `${name} removed`);
};

describe("[SECURITY] a spawn never quietly takes a destroyed agent's state", () => {
  it("refuses a manager's spawn request for a tombstone's name, and writes no approval", async () => {
    const name = `${prefix}-gone`;
    await spawnAgent(server, name);
    await eventually(async () => (await bootCount(name)) === 1, "first boot");
    await destroy(name);
    const manager = (await mintAgentToken(server, `${prefix}-mgr`, "manager")).token;
    const before = (await allApprovals()).length;

    const refused = await requestSpawn(manager, name);
    expect(refused.status).toBe(409);
    const { error } = await refused.json();
    expect(error.code).toBe("tombstone_exists");
    expect(error.message).toContain(`agent ${name} was destroyed`);
    expect((await allApprovals()).length).toBe(before);
    await docker.getVolume(`hive-state-${name}`).inspect(); // the kept state is untouched
  });

  it("fails an approved spawn whose name became a tombstone while it waited, creating nothing", async () => {
    const name = `${prefix}-late`;
    const manager = (await mintAgentToken(server, `${prefix}-mgr2`, "manager")).token;
    const requested = await requestSpawn(manager, name);
    expect(requested.status).toBe(201);
    const { id } = await requested.json();
    // Meanwhile an operator makes an agent of that name, and destroys it: its state volume stays.
    await spawnAgent(server, name);
    await eventually(async () => (await bootCount(name)) === 1, "first boot");
    await destroy(name);

    const approved = await operatorFetch(server, `/api/approvals/${id}/approve`, { method: "POST", body: "{}" });
    expect(approved.status).toBe(200);
    const { approval } = await approved.json();
    expect(approval).toMatchObject({ id, status: "failed", failure: expect.stringContaining("its state is kept as a tombstone") });
    expect(await engineState(name)).toBeNull();
    await docker.getVolume(`hive-state-${name}`).inspect(); // the kept state is still there, for an operator to revive
  });
});

describe("[SECURITY] the engine's refusals of an agent's settings are the caller's 4xx, naming the field", () => {
  const spawn = (name: string, settings: Record<string, unknown>) =>
    operatorFetch(server, "/api/agents", { method: "POST", body: JSON.stringify({ name, image: TEST_IMAGE, ...settings }) });

  it.each([
    ["a network the engine does not have", { network: "hive-no-such-network" }, "network: "],
    ["more CPUs than the engine has", { cpus: 1024 }, "cpus: "],
    ["an image reference the engine cannot parse", { image: "Hive-Upper:case" }, "image: "],
    ["a node the runtime does not know", { node: "hive-no-such-node" }, "node: "],
    ["a node name no engine could report", { node: "../etc" }, "invalid body: node: "],
  ])("%s: 400 invalid_request, and nothing is left behind", async (_label, settings, field) => {
    const name = `${prefix}-bad${Object.keys(settings)[0]}`;
    const response = await spawn(name, settings);
    const body = await response.json();
    expect({ status: response.status, code: body.error.code }).toEqual({ status: 400, code: "invalid_request" });
    expect(body.error.message.startsWith(field)).toBe(true);
    expect(await engineState(name)).toBeNull();
    await expect(docker.getVolume(`hive-state-${name}`).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect((await dashboardState(server)).containers?.some((container: { name: string }) => container.name === name)).toBe(false);
  });
});

describe("[SECURITY] an operator's node pick names a node the runtime knows", () => {
  it("names the nodes there are when the pick is unknown, on the field a form shows it on; the engine's one node is a pick", async () => {
    const nodes = ((await dashboardState(server)) as unknown as { nodes: { name: string }[] }).nodes;
    expect(nodes).toHaveLength(1);
    const refused = await operatorFetch(server, "/api/agents", { method: "POST", body: JSON.stringify({ name: `${prefix}-nowhere`, image: TEST_IMAGE, node: "elsewhere" }) });
    expect(refused.status).toBe(400);
    const { error } = await refused.json();
    expect(error.message).toBe(`node: no node named elsewhere; the nodes are ${nodes[0]!.name}`);
    expect(error.issues).toEqual([{ path: "node", message: `no node named elsewhere; the nodes are ${nodes[0]!.name}` }]);

    const name = `${prefix}-here`;
    const agent = await spawnAgent(server, name, { node: nodes[0]!.name });
    expect(agent).toMatchObject({ state: "running", node: nodes[0]!.name });

    // One engine is one machine: there is nowhere to move an agent to, and nothing is touched.
    const move = await operatorFetch(server, `/api/agents/${name}/move`, { method: "POST", body: JSON.stringify({ node: nodes[0]!.name }) });
    expect(move.status).toBe(409);
    expect((await move.json()).error.message).toBe(`the docker runtime runs every agent on one machine: there is no other node to move ${name} to`);
    expect((await engineState(name))?.status).toBe("running");
  });
});
