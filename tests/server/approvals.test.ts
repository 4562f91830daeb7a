import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentPrefix, bootCount, cleanupAgents, containerLines, docker, engineState, eventually } from "../helpers/docker";
import { createMigratedDatabase, startPostgres } from "../helpers/postgres";
import { agentFetch, dashboardState, mintAgentToken, operatorFetch, type ServerProcess, spawnAgent, startServer } from "../helpers/server";

let server: ServerProcess;
const prefix = agentPrefix();
const image = "hive-test-agent:latest";

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
  await cleanupAgents(prefix);
});

type Approval = { id: string; kind: string; agent: string; status: string; diff: { op: string; text: string }[] | null; failure: string | null; note: string | null; revive: boolean };
const state = () => dashboardState(server) as Promise<Awaited<ReturnType<typeof dashboardState>> & { approvals: { pending: Approval[]; recent: Approval[] }; tombstones: ({ name: string } & Record<string, unknown>)[] | null }>;
const approve = (id: string) => operatorFetch(server, `/api/approvals/${id}/approve`, { method: "POST", body: "{}" });
const request = (token: string, body: unknown) => agentFetch(server, token, "/api/agent/approvals", { method: "POST", body: JSON.stringify(body) });
/** Every volume that exists now: other test files add and remove theirs in parallel, so compare with care. */
const volumeNames = async () => ((await docker.listVolumes()).Volumes ?? []).map((volume) => volume.Name).sort();

describe("approvals", () => {
  it("lets a manager agent request a spawn from inside its container; a plain agent gets 403", async () => {
    const child = `${prefix}-child`;
    const body = JSON.stringify({ kind: "spawn", name: child, config: { image, network: "none", env: { JOB: "index" } }, description: "Indexer for the docs" });
    const manager = `${prefix}-boss`;
    const worker = `${prefix}-plain`;
    await spawnAgent(server, manager, { network: "host", role: "manager", env: { AGENT_REQUEST_APPROVAL: body } });
    await spawnAgent(server, worker, { network: "host", env: { AGENT_REQUEST_APPROVAL: body } });
    await eventually(async () => (await containerLines(manager)).some((line) => line.startsWith(`[${manager}] approval requested: apr_`)), "the manager's request");
    await eventually(async () => (await containerLines(worker)).some((line) => line.includes("approval request refused") && line.includes("403")), "the plain agent's refusal");

    const pending = (await state()).approvals.pending.filter((approval) => approval.agent === child);
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ kind: "spawn", requestedBy: manager, requesterKind: "agent", description: "Indexer for the docs", diff: null });

    // Approving twice (a double click, two operators) executes once.
    const [first, second] = await Promise.all([approve(pending[0]!.id), approve(pending[0]!.id)]);
    expect([first.status, second.status].sort()).toEqual([200, 409]);
    const loser = [first, second].find((response) => response.status === 409)!;
    expect((await loser.json()).error.code).toBe("approval_resolved");
    await eventually(async () => (await engineState(child))?.status === "running", "the approved agent running");
    expect((await engineState(child))!.env).toContain("JOB=index");

    const managerToken = (await mintAgentToken(server, manager, "manager")).token;
    const inbox = await (await agentFetch(server, managerToken, "/api/agent/inbox")).json();
    expect(inbox.events.map((event: { kind: string; payload: Record<string, unknown> }) => [event.kind, event.payload.status])).toContainEqual(["approval_resolved", "approved"]);
  });

  it("denies with a note, lets the requester withdraw, and records a refused spawn as failed with the engine's message", async () => {
    const token = (await mintAgentToken(server, `${prefix}-mgr`, "manager")).token;
    const denied = await (await request(token, { kind: "spawn", name: `${prefix}-no`, config: { image }, description: "Not needed" })).json();
    const deny = await operatorFetch(server, `/api/approvals/${denied.id}/deny`, { method: "POST", body: JSON.stringify({ note: "use the existing indexer" }) });
    expect((await deny.json()).approval).toMatchObject({ status: "denied", note: "use the existing indexer", decidedBy: "operator" });
    expect((await approve(denied.id)).status).toBe(409);

    const withdrawn = await (await request(token, { kind: "spawn", name: `${prefix}-later`, config: { image }, description: "Maybe" })).json();
    const withdraw = await agentFetch(server, token, `/api/agent/approvals/${withdrawn.id}`, { method: "DELETE" });
    expect((await withdraw.json()).status).toBe("cancelled");
    expect((await approve(withdrawn.id)).status).toBe(409);

    const broken = await (await request(token, { kind: "spawn", name: `${prefix}-broken`, config: { image: "hive-no-such-image:1" }, description: "Typo" })).json();
    const result = await (await approve(broken.id)).json();
    expect(result.approval).toMatchObject({ status: "failed", failure: expect.stringContaining("No such image") });
    expect(await engineState(`${prefix}-broken`)).toBeNull();
    const mine = await (await agentFetch(server, token, `/api/agent/approvals/${broken.id}`)).json();
    expect(mine.status).toBe("failed");
  });

  it("shows a config change as a diff and rebuilds the agent with the new env once approved", async () => {
    const name = `${prefix}-cfg`;
    await spawnAgent(server, name, { env: { MODE: "slow", KEEP: "1" } });
    const token = (await mintAgentToken(server, `${prefix}-cfgmgr`, "manager")).token;
    const response = await request(token, { kind: "config_change", name, config: { image, network: "none", env: { MODE: "fast", KEEP: "1" } }, description: "Speed up" });
    expect(response.status).toBe(201);
    const change = (await state()).approvals.pending.find((approval) => approval.agent === name)!;
    expect(change.diff).toEqual(
      expect.arrayContaining([
        { op: "-", text: 'env.MODE: "slow"' },
        { op: "+", text: 'env.MODE: "fast"' },
        { op: " ", text: 'env.KEEP: "1"' },
        { op: " ", text: `image: "${image}"` },
      ]),
    );
    const before = (await engineState(name))!.id;
    expect((await approve(change.id)).status).toBe(200);
    const after = (await engineState(name))!;
    expect(after.id).not.toBe(before);
    expect(after.env).toEqual(expect.arrayContaining(["MODE=fast", "KEEP=1"]));
    expect((await request(token, { kind: "config_change", name: `${prefix}-nobody`, config: { image }, description: "?" })).status).toBe(404);
  });
});

describe("tombstones", () => {
  it("keeps a destroyed agent's state, revives it through an approval with its boot counter continuing, and purges for real", async () => {
    const name = `${prefix}-phoenix`;
    await spawnAgent(server, name);
    await eventually(async () => (await bootCount(name)) === 1, "first boot");
    await operatorFetch(server, `/api/agents/${name}`, { method: "DELETE" });
    const tombstone = await eventually(async () => (await state()).tombstones?.find((entry) => entry.name === name), "the tombstone");
    expect(tombstone).toMatchObject({ volume: `hive-state-${name}`, configKept: true, image, revivePending: false });
    expect(tombstone.destroyedAt).toMatch(/^\d{4}-/);

    const revive = await operatorFetch(server, `/api/tombstones/${name}/revive`, { method: "POST", body: "{}" });
    expect(revive.status).toBe(201);
    const { approval } = await revive.json();
    expect(approval).toMatchObject({ kind: "spawn", agent: name, revive: true, requesterKind: "operator" });
    const again = await operatorFetch(server, `/api/tombstones/${name}/revive`, { method: "POST", body: "{}" });
    expect(again.status).toBe(200);
    expect((await again.json()).approval.id).toBe(approval.id);
    expect((await approve(approval.id)).status).toBe(200);
    await eventually(async () => (await bootCount(name)) === 2, "the boot counter continuing at 2");

    // Live again: purge is refused and touches nothing.
    const refused = await operatorFetch(server, `/api/tombstones/${name}`, { method: "DELETE" });
    expect(refused.status).toBe(409);
    await docker.getVolume(`hive-state-${name}`).inspect();

    await operatorFetch(server, `/api/agents/${name}`, { method: "DELETE" });
    const purge = await operatorFetch(server, `/api/tombstones/${name}`, { method: "DELETE" });
    expect(await purge.json()).toEqual({ name, purged: true });
    await expect(docker.getVolume(`hive-state-${name}`).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect((await operatorFetch(server, `/api/tombstones/${name}`, { method: "DELETE" })).status).toBe(404);
  });

  it("measures each tombstone's size (the engine's disk usage, refreshed at most once a minute)", { timeout: 120_000 }, async () => {
    const name = `${prefix}-sized`;
    await spawnAgent(server, name);
    await operatorFetch(server, `/api/agents/${name}`, { method: "DELETE" });
    const sized = await eventually(
      async () => {
        const size = (await state()).tombstones?.find((entry) => entry.name === name)?.sizeBytes;
        return typeof size === "number" ? size : null;
      },
      "its size",
      90_000,
    );
    expect(sized).toBeGreaterThan(0); // the boot counter file
  });

  it("rejects hostile names and foreign volumes on every route without touching a volume", async () => {
    const foreign = `${prefix}-foreign`;
    await docker.createVolume({ Name: `hive-state-${foreign}`, Labels: { "hive.state": foreign, "hive.managed-by": "someone-else" } });
    const token = (await mintAgentToken(server, `${prefix}-fuzzmgr`, "manager")).token;
    // Bystanders: state volumes that look exactly like what a hostile name might reach for.
    const bystanders = [`${prefix}-keep`, `${prefix}-other`];
    for (const name of bystanders) await docker.createVolume({ Name: `hive-state-${name}`, Labels: { "hive.state": name, "hive.managed-by": "hive-dashboard" } });
    const volumesBefore = await volumeNames();
    const hostile = ["..", "/", "%2e%2e", "%2F", "", ".hidden", "UPPER", "a/../b", "a..b".replace("..", "%2e%2e"), "x".repeat(41), "name%00", "-x", "a b", "<script>"];
    for (const raw of hostile) {
      const name = encodeURIComponent(raw);
      for (const [method, path] of [
        ["POST", `/api/tombstones/${name}/revive`],
        ["DELETE", `/api/tombstones/${name}`],
        ["POST", `/api/approvals/${name}/approve`],
        ["POST", `/api/approvals/${name}/deny`],
      ] as const) {
        const response = await operatorFetch(server, path, { method, body: method === "POST" ? "{}" : undefined });
        expect(response.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
        expect(response.status, `${method} ${path}`).toBeLessThan(500);
      }
      for (const path of [`/api/agent/approvals/${name}`]) {
        const read = await agentFetch(server, token, path);
        expect(read.status, path).toBeGreaterThanOrEqual(400);
        expect(read.status, path).toBeLessThan(500);
      }
      const body = await request(token, { kind: "spawn", name: raw, config: { image }, description: "fuzz" });
      expect(body.status, `spawn request named ${JSON.stringify(raw)}`).toBe(400);
    }
    for (const [method, path] of [
      ["POST", `/api/tombstones/${foreign}/revive`],
      ["DELETE", `/api/tombstones/${foreign}`],
    ] as const) {
      const response = await operatorFetch(server, path, { method, body: method === "POST" ? "{}" : undefined });
      expect(response.status, path).toBe(404);
    }
    expect((await state()).tombstones?.some((entry) => entry.name === foreign)).toBe(false);
    // Nothing was removed (parallel test files may only have added volumes of their own meanwhile).
    const volumesAfter = new Set(await volumeNames());
    const mine = volumesBefore.filter((volume) => volume.includes(prefix));
    expect(mine.filter((volume) => !volumesAfter.has(volume))).toEqual([]);
    expect(mine).toEqual(expect.arrayContaining([`hive-state-${foreign}`, ...bystanders.map((name) => `hive-state-${name}`)]));
    await docker.getVolume(`hive-state-${foreign}`).remove();
  });

  it("passes hostile config text through as data", async () => {
    const token = (await mintAgentToken(server, `${prefix}-evil`, "manager")).token;
    const name = `${prefix}-target`;
    await spawnAgent(server, name);
    const payload = '</pre><img src=x onerror="alert(1)"><script>alert(2)</script>';
    const response = await request(token, { kind: "config_change", name, config: { image, env: { NOTE: payload } }, description: `<b>${payload}</b>` });
    expect(response.status).toBe(201);
    const change = (await state()).approvals.pending.find((approval) => approval.agent === name)!;
    expect(change.diff).toContainEqual({ op: "+", text: `env.NOTE: ${JSON.stringify(payload)}` });
  });
});

describe("tombstone retention (optional)", () => {
  it("purges tombstones older than the configured days at start, with an event and an audit row, and keeps younger ones", async () => {
    const cluster = await startPostgres();
    try {
      const url = await createMigratedDatabase(cluster.url());
      const name = `${prefix}-old`;
      const young = `${prefix}-young`;
      const first = await startServer({ DATABASE_URL: url });
      for (const agent of [name, young]) {
        await spawnAgent(first, agent);
        await operatorFetch(first, `/api/agents/${agent}`, { method: "DELETE" });
      }
      await first.stop();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query("update agents set destroyed_at = now() - interval '3 days' where name = $1", [name]);
      await client.query("update agents set destroyed_at = now() - interval '47 hours' where name = $1", [young]);

      const second = await startServer({ DATABASE_URL: url, HIVE_TOMBSTONE_RETENTION_DAYS: "2" });
      try {
        // The audit row is the purge's last write: the volume goes first.
        const audit = await eventually(async () => {
          const { rows } = await client.query("select actor, action, target, result from audit_log where target = $1 and action = 'tombstone.purge'", [name]);
          return rows.length > 0 ? rows : null;
        }, "the old tombstone purged and audited");
        expect(audit).toEqual([{ actor: "system:retention", action: "tombstone.purge", target: name, result: "ok" }]);
        expect((await docker.listVolumes()).Volumes?.some((volume) => volume.Name === `hive-state-${name}`)).toBe(false);
        const events = await client.query("select actor from events where kind = 'tombstone_purged' and agent = $1", [name]);
        expect(events.rows).toEqual([{ actor: "system:retention" }]);
        // The sweep is over (it logs its count last), and the 47-hour-old tombstone is still there, untouched.
        await second.waitForLog((line) => line.msg === "tombstone retention purged old tombstones");
        expect(second.logs().find((line) => line.msg === "tombstone retention purged old tombstones")).toMatchObject({ purged: 1, retentionDays: 2 });
        await docker.getVolume(`hive-state-${young}`).inspect();
        const kept = await client.query("select count(*)::int as n from audit_log where target = $1 and action = 'tombstone.purge'", [young]);
        expect(kept.rows[0].n).toBe(0);
        const tombstones = (await (await operatorFetch(second, "/api/state")).json()).tombstones as { name: string }[];
        expect(tombstones.map((tombstone) => tombstone.name)).toContain(young);
        expect(tombstones.map((tombstone) => tombstone.name)).not.toContain(name);
      } finally {
        await second.stop();
        await client.end();
      }
    } finally {
      cluster.destroy();
    }
  });
});
