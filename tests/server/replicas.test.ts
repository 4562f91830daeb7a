import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentPrefix, cleanupAgents, docker, eventually } from "../helpers/docker";
import { createMigratedDatabase, type PostgresCluster, startPostgres } from "../helpers/postgres";
import { readEvents, type SseMessage } from "../helpers/sse";
import { agentFetch, mintAgentToken, operatorFetch, type ServerProcess, spawnAgent, startServer, viewOf } from "../helpers/server";

// Two dashboard replicas on one PostgreSQL: shared pills and events, one leader, each crash recorded once.
let cluster: PostgresCluster;
let url: string;
let a: ServerProcess;
let b: ServerProcess;
const prefix = agentPrefix();

const leads = (server: ServerProcess) => server.logs().some((line) => String(line.msg).startsWith("this process leads"));

beforeAll(async () => {
  cluster = await startPostgres();
  url = await createMigratedDatabase(cluster.url());
  a = await startServer({ DATABASE_URL: url });
  b = await startServer({ DATABASE_URL: url });
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await cleanupAgents(prefix);
  cluster?.destroy();
});

async function crashCount(agent: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query("select count(*)::int as n from crash_records where agent = $1", [agent]);
    return result.rows[0].n;
  } finally {
    await client.end();
  }
}

describe("replicas on one PostgreSQL", () => {
  it("elects exactly one leader", async () => {
    await eventually(async () => leads(a) || leads(b), "a leader");
    expect([leads(a), leads(b)].filter(Boolean)).toHaveLength(1);
  });

  it("shows an action started through one replica to a browser connected to the other, at once", async () => {
    const name = `${prefix}-shared`;
    await spawnAgent(a, name, { env: { AGENT_STOP_DELAY_S: "2" } });
    const controller = new AbortController();
    const stream = await operatorFetch(b, "/api/stream", { signal: controller.signal });
    const started = (events: SseMessage[]) => events.some((event) => event.event === "change" && event.data.includes(`"kind":"action_started","agent":"${name}"`));
    const reading = readEvents(stream, started);
    const restarting = operatorFetch(a, `/api/agents/${name}/restart`, { method: "POST", body: "{}" });
    await reading;
    const seenByB = await viewOf(b, name);
    expect(seenByB?.pending).toMatchObject({ kind: "restarting", startedBy: "operator" });
    const second = await operatorFetch(b, `/api/agents/${name}/stop`, { method: "POST", body: "{}" });
    expect(second.status).toBe(409);
    expect((await restarting).status).toBe(200);
    controller.abort();
  });

  it("records a crash once although both replicas watch the engine", async () => {
    const name = `${prefix}-once`;
    await spawnAgent(b, name);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await docker.getContainer(`hive-${name}`).kill();
    await eventually(async () => (await crashCount(name)) === 1, "the crash record");
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await crashCount(name)).toBe(1);
  });

  it("shows a stuck action past its deadline and lets an operator clear it", async () => {
    const name = `${prefix}-stuck`;
    await spawnAgent(a, name);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const owner = await client.query("select id from instances order by started_at desc limit 1");
    await client.query(
      "insert into transients (agent, id, kind, action, started_by, started_at, deadline_at, owner_instance) values ($1, 'act_stuck', 'restarting', 'restart', 'bob', now() - interval '3 minutes', now() - interval '1 minute', $2)",
      [name, owner.rows[0].id],
    );
    await client.end();
    await eventually(async () => (await viewOf(b, name))?.pending?.stuck === true, "the stuck badge");
    expect((await viewOf(b, name))?.pending).toMatchObject({ kind: "restarting", startedBy: "bob", stuck: true });
    const cleared = await operatorFetch(b, `/api/agents/${name}/transient`, { method: "DELETE" });
    expect(cleared.status).toBe(200);
    await eventually(async () => (await viewOf(a, name))?.pending === null, "the pill gone on the other replica too");
    expect((await operatorFetch(a, `/api/agents/${name}/transient`, { method: "DELETE" })).status).toBe(404);
  });

  it("expires a question once although every replica runs the expiry", async () => {
    const token = (await mintAgentToken(a, `${prefix}-asker`)).token;
    const asked = await agentFetch(a, token, "/api/agent/questions", { method: "POST", body: JSON.stringify({ question: "Both replicas see me?", ttl_seconds: 10 }) });
    const { id } = await asked.json();
    const resolved = await (await agentFetch(b, token, `/api/agent/questions/${id}?wait_seconds=30`)).json();
    expect(resolved).toMatchObject({ status: "expired", answer: "[expired]" });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const events = await client.query("select count(*)::int as n from agent_events where kind = 'operator_answered' and ref = $1", [id]);
    await client.end();
    expect(events.rows[0].n).toBe(1);
  });

  it("hands leadership over within 30 s when the leader dies, and the new leader records crashes", async () => {
    const [leader, standby] = leads(a) ? [a, b] : [b, a];
    leader.child.kill("SIGKILL");
    await leader.exited;
    const tookOver = Date.now();
    await standby.waitForLog((line) => String(line.msg).startsWith("this process leads"), 30_000);
    expect(Date.now() - tookOver).toBeLessThan(30_000);

    const name = `${prefix}-after`;
    await spawnAgent(standby, name);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await docker.getContainer(`hive-${name}`).kill();
    await eventually(async () => (await crashCount(name)) === 1, "the crash recorded by the new leader");
  });
});
