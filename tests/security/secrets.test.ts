import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentPrefix, cleanupAgents, engineState, eventually, TEST_IMAGE } from "../helpers/docker";
import { agentFetch, dashboardState, mintAgentToken, operatorFetch, type ServerProcess, startServer } from "../helpers/server";

let server: ServerProcess;
const prefix = agentPrefix();

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
  await cleanupAgents(prefix);
});

async function spawn(name: string, env: Record<string, unknown>) {
  const response = await operatorFetch(server, "/api/agents", {
    method: "POST",
    body: JSON.stringify({ name, image: TEST_IMAGE, network: "none", env }),
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return response.json();
}

const approve = (id: string) => operatorFetch(server, `/api/approvals/${id}/approve`, { method: "POST", body: "{}" });
type Approval = { id: string; agent: string; summary: string[]; diff: { op: string; text: string }[] | null };
const approvals = async () => ((await dashboardState(server)) as unknown as { approvals: { pending: Approval[]; recent: Approval[] } }).approvals;

describe("[SECRETS] env values", () => {
  it("a manager's config change for another agent never hands it that agent's env values", async () => {
    const target = `${prefix}-victim`;
    await spawn(target, { API_KEY: "sk-live-plain-0001", MODE: "slow-mode-value" });
    const manager = (await mintAgentToken(server, `${prefix}-mgr`, "manager")).token;
    const seen: string[] = [];
    const keep = async (response: Response) => {
      const text = await response.text();
      seen.push(text);
      return JSON.parse(text);
    };

    const requested = await keep(
      await agentFetch(server, manager, "/api/agent/approvals", {
        method: "POST",
        body: JSON.stringify({ kind: "config_change", name: target, config: { image: TEST_IMAGE, env: { MODE: "fast" } }, description: "speed up" }),
      }),
    );
    expect(requested.id).toMatch(/^apr_/);
    await keep(await agentFetch(server, manager, `/api/agent/approvals/${requested.id}`));
    await keep(await agentFetch(server, manager, `/api/agent/approvals/${requested.id}`, { method: "DELETE" }));
    const leaks = () => seen.filter((text) => text.includes("sk-live-plain-0001") || text.includes("slow-mode-value"));
    expect(leaks()).toEqual([]);

    // A second request the operator denies: its outcome reaches the manager's inbox.
    const second = await keep(
      await agentFetch(server, manager, "/api/agent/approvals", {
        method: "POST",
        body: JSON.stringify({ kind: "config_change", name: target, config: { image: TEST_IMAGE, env: { MODE: "fast", API_KEY: { keep: true } } }, description: "again" }),
      }),
    );
    expect((await operatorFetch(server, `/api/approvals/${second.id}/deny`, { method: "POST", body: "{}" })).status).toBe(200);
    await keep(await agentFetch(server, manager, "/api/agent/inbox"));
    await keep(await agentFetch(server, manager, `/api/agent/approvals/${second.id}`));

    expect(leaks()).toEqual([]);
    // The operator reviewing it still sees the whole change.
    const reviewed = (await approvals()).recent.find((approval) => approval.id === second.id)!;
    expect(reviewed.diff).toEqual(
      expect.arrayContaining([
        { op: "-", text: 'env.MODE: "slow-mode-value"' },
        { op: "+", text: 'env.MODE: "fast"' },
        { op: " ", text: 'env.API_KEY: "sk-live-plain-0001"' },
      ]),
    );
  });

  it("a secret env entry is write-only: the container gets it, no view, diff, audit, activity or log line shows it", async () => {
    const secret = "sk-live-SECRET-7f3a9c";
    const rotated = "sk-live-ROTATED-55e1b0";
    const name = `${prefix}-vault`;
    await spawn(name, { API_KEY: { value: secret, secret: true }, MODE: "slow" });
    expect((await engineState(name))!.env).toContain(`API_KEY=${secret}`);

    // A manager keeps the secret it cannot read, and changes a plain value.
    const manager = (await mintAgentToken(server, `${prefix}-boss`, "manager")).token;
    const change = await agentFetch(server, manager, "/api/agent/approvals", {
      method: "POST",
      body: JSON.stringify({ kind: "config_change", name, config: { image: TEST_IMAGE, network: "none", env: { API_KEY: { keep: true }, MODE: "fast" } }, description: "faster" }),
    });
    expect(change.status).toBe(201);
    const { id } = await change.json();
    const pending = (await approvals()).pending.find((approval) => approval.id === id)!;
    expect(pending.diff).toEqual(
      expect.arrayContaining([
        { op: " ", text: "env.API_KEY: [secret]" },
        { op: "-", text: 'env.MODE: "slow"' },
        { op: "+", text: 'env.MODE: "fast"' },
      ]),
    );
    expect((await approve(id)).status).toBe(200);
    expect((await engineState(name))!.env).toEqual(expect.arrayContaining([`API_KEY=${secret}`, "MODE=fast"]));

    // A rotation shows that the secret changes, never from what or to what.
    const rotation = await agentFetch(server, manager, "/api/agent/approvals", {
      method: "POST",
      body: JSON.stringify({ kind: "config_change", name, config: { image: TEST_IMAGE, network: "none", env: { API_KEY: { value: rotated, secret: true }, MODE: "fast" } }, description: "rotate" }),
    });
    const rotationId = (await rotation.json()).id;
    const rotating = (await approvals()).pending.find((approval) => approval.id === rotationId)!;
    expect(rotating.diff).toEqual(
      expect.arrayContaining([
        { op: "-", text: "env.API_KEY: [secret]" },
        { op: "+", text: "env.API_KEY: [secret, changed]" },
      ]),
    );
    expect((await approve(rotationId)).status).toBe(200);
    expect((await engineState(name))!.env).toContain(`API_KEY=${rotated}`);

    // Destroyed and revived: the kept config brings the secret back, masked in the summary.
    expect((await operatorFetch(server, `/api/agents/${name}`, { method: "DELETE" })).status).toBe(200);
    const tombstone = await eventually(
      async () => ((await dashboardState(server)) as unknown as { tombstones: { name: string; credentialsKept: boolean }[] | null }).tombstones?.find((entry) => entry.name === name),
      "the tombstone",
    );
    expect(tombstone.credentialsKept).toBe(true);
    const revive = await (await operatorFetch(server, `/api/tombstones/${name}/revive`, { method: "POST", body: "{}" })).json();
    expect(revive.approval.summary).toContain("env.API_KEY: [secret]");
    expect((await approve(revive.approval.id)).status).toBe(200);
    expect((await engineState(name))!.env).toContain(`API_KEY=${rotated}`);

    const everything = [
      JSON.stringify(await dashboardState(server)),
      await (await operatorFetch(server, "/api/audit?limit=200")).text(),
      await (await agentFetch(server, manager, "/api/agent/inbox")).text(),
      server.output(),
    ].join("\n");
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(rotated);
  });

  it("a spawn asking to keep a value it never had is refused, naming the entry", async () => {
    const response = await operatorFetch(server, "/api/agents", {
      method: "POST",
      body: JSON.stringify({ name: `${prefix}-nokeep`, image: TEST_IMAGE, network: "none", env: { API_KEY: { keep: true } } }),
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error.message).toContain("env.API_KEY");
  });
});
