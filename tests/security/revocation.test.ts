import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentPrefix, cleanupAgents, eventually } from "../helpers/docker";
import { createMigratedDatabase, type PostgresCluster, startPostgres } from "../helpers/postgres";
import { readEvents } from "../helpers/sse";
import { agentFetch, askQuestion, mintAgentToken, operatorFetch, type ServerProcess, spawnAgent, startServers, TEST_OPERATOR_TOKEN } from "../helpers/server";

// Two replicas on one PostgreSQL: a credential ended through A closes what it holds open on B.
let cluster: PostgresCluster;
let a: ServerProcess;
let b: ServerProcess;
const prefix = agentPrefix();

beforeAll(async () => {
  cluster = await startPostgres();
  const url = await createMigratedDatabase(cluster.url());
  [a, b] = await startServers({ DATABASE_URL: url }, { DATABASE_URL: url });
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await cleanupAgents(prefix);
  cluster?.destroy();
});

const watched = async (server: ServerProcess) =>
  ((await (await operatorFetch(server, "/api/diagnostics")).json()) as { streams: { watchedCredentials: number } }).streams.watchedCredentials;

/** How a stream ended: its last event, once it ends by itself (the test gives it 10 s, far below the waits asked for). */
async function streamEnd(response: Response) {
  expect(response.status).toBe(200);
  const events = await readEvents(response, () => false, { timeoutMs: 10_000 });
  return events.at(-1);
}

describe("[REVOCATION] ending a credential closes what it holds open, on every replica", () => {
  it("a revoked agent token ends its event stream and its long polls on the other replica", async () => {
    const agent = `${prefix}-agent`;
    const { id, token } = await mintAgentToken(a, agent);
    const question = await askQuestion(a, token, { question: "still there?" });
    const before = await watched(b);
    const events = agentFetch(b, token, "/api/agent/events");
    const inbox = agentFetch(b, token, "/api/agent/inbox?wait_seconds=120");
    const answer = agentFetch(b, token, `/api/agent/questions/${question.id}?wait_seconds=120`);
    const eventsEnd = streamEnd(await events);
    await eventually(async () => (await watched(b)) === before + 3, "the three requests open on B");

    expect((await operatorFetch(a, `/api/agent-tokens/${id}`, { method: "DELETE" })).status).toBe(200);
    expect(await eventsEnd).toMatchObject({ event: "error", data: JSON.stringify({ code: "unauthorized", message: "the agent token was revoked" }) });
    for (const poll of [await inbox, await answer]) {
      expect(poll.status).toBe(401);
      expect((await poll.json()).error).toEqual({ code: "unauthorized", message: "the agent token was revoked" });
    }
    await eventually(async () => (await watched(b)) === before, "B to forget them");
    expect((await agentFetch(b, token, "/api/agent/inbox")).status).toBe(401);
  });

  it("logging out ends the session's live stream and log follows on the other replica", async () => {
    const name = `${prefix}-ticker`;
    await spawnAgent(a, name);
    const login = await fetch(`${b.baseUrl}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: b.baseUrl },
      body: JSON.stringify({ token: TEST_OPERATOR_TOKEN }),
    });
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const before = await watched(b);
    const live = streamEnd(await fetch(`${b.baseUrl}/api/stream`, { headers: { cookie } }));
    const follow = streamEnd(await fetch(`${b.baseUrl}/api/agents/${name}/logs/stream`, { headers: { cookie } }));
    await eventually(async () => (await watched(b)) === before + 2, "both streams open on B");

    const logout = await fetch(`${a.baseUrl}/api/session`, { method: "DELETE", headers: { cookie, origin: a.baseUrl } });
    expect(logout.status).toBe(200);
    const ended = { event: "error", data: JSON.stringify({ code: "unauthorized", message: "the session ended (logged out or revoked)" }) };
    expect(await live).toMatchObject(ended);
    expect(await follow).toMatchObject(ended);
    await eventually(async () => (await watched(b)) === before, "B to forget them");
    const engineStreams = ((await (await operatorFetch(b, "/api/diagnostics")).json()) as { runtime: { openLogStreams: Record<string, number> } }).runtime.openLogStreams;
    expect(engineStreams[name] ?? 0).toBe(0);
  });
});
