import fs from "node:fs";
import pg from "pg";
import { docker, engineState } from "../../tests/helpers/docker";
import { freePort } from "../../tests/helpers/ports";
import { createMigratedDatabase, startPostgres } from "../../tests/helpers/postgres";
import { agentFetch, askQuestion, mintAgentToken, operatorFetch, type ServerProcess, spawnAgent, startServer, TEST_OPERATOR_TOKEN } from "../../tests/helpers/server";
import { readEvents, type SseMessage } from "../../tests/helpers/sse";
import { expect, test } from "../fixtures";

const OUTAGE_MS = 30_000;

async function replica(url: string) {
  const port = await freePort();
  return startServer({ DATABASE_URL: url, HIVE_PUBLIC_URL: `http://127.0.0.1:${port}`, HIVE_PUBLIC_API_URL: `http://127.0.0.1:${port}` }, { port });
}

const health = async (server: ServerProcess) => {
  const response = await fetch(`${server.baseUrl}/dashboard-healthz`);
  return { status: response.status, db: ((await response.json()) as { db: string }).db };
};
const stateOf = async (server: ServerProcess) => (await (await operatorFetch(server, "/api/state")).json()) as {
  containers: { name: string; pending: { kind: string } | null }[];
  activity: { kind: string; agent: string | null }[];
};
/**
 * The engine stopped the agent's container (exit 0) after `since`. Asked this way, not as "exited now": other dashboards
 * on the shared test engine adopt every agent they see and may restart a stopped one (issue 15's two installations).
 */
async function stoppedCleanlySince(name: string, since: number) {
  const { State } = await docker.getContainer(`hive-${name}`).inspect();
  return Date.parse(State.FinishedAt) >= since - 1_000 && State.ExitCode === 0;
}
const act = (server: ServerProcess, name: string, action: string, body: object = {}) =>
  operatorFetch(server, `/api/agents/${name}/${action}`, { method: "POST", body: JSON.stringify(body) });

test("[FAULTS] PostgreSQL stopped for 30 s: clear 503s and a page that says so, nothing half done, all back without a restart", async ({ browser, prefix }) => {
  test.setTimeout(300_000);
  const cluster = await startPostgres();
  const url = await createMigratedDatabase(cluster.url());
  const database = new pg.Client({ connectionString: url });
  database.on("error", () => undefined);
  const servers: ServerProcess[] = [];
  const stream = new AbortController();
  try {
    const [a, b] = [await replica(url), await replica(url)];
    servers.push(a, b);
    const pids = [a.child.pid, b.child.pid];
    const busy = `${prefix}-busy`; // a stop still in flight after the outage: its pill must hold
    const edge = `${prefix}-edge`; // a stop under way when the database goes: the engine finishes it during the outage
    const target = `${prefix}-target`; // acted on during the outage: refused, so untouched
    await spawnAgent(a, busy, { env: { AGENT_STOP_DELAY_S: "45" } });
    await spawnAgent(a, edge, { env: { AGENT_STOP_DELAY_S: "4" } });
    await spawnAgent(a, target);
    const asker = (await mintAgentToken(a, `${prefix}-asker`)).token;

    const page = await (await browser.newContext()).newPage();
    await page.goto(`${a.baseUrl}/login#token=${TEST_OPERATOR_TOKEN}`);
    await expect(page.getByRole("status", { name: "Live updates: Live" })).toBeVisible();
    await expect(page.getByRole("row", { name: `Agent ${target}` }).getByText("running", { exact: true })).toBeVisible();

    // Replica A's live stream, open across the outage: after it, B's changes must reach it again (LISTEN resubscribed).
    const seenOnA: SseMessage[] = [];
    void readEvents(await operatorFetch(a, "/api/stream", { signal: stream.signal }), () => false, {
      timeoutMs: Number.POSITIVE_INFINITY,
      signal: stream.signal,
      onEvent: (event) => seenOnA.push(event),
    }).catch(() => undefined);

    const stopsSentAt = Date.now();
    const busyStop = act(a, busy, "stop", { timeoutSeconds: 120 });
    const edgeStop = act(b, edge, "stop", { timeoutSeconds: 60 });
    // The engine is acting on both (each agent heard its SIGTERM) before the database goes.
    for (const name of [busy, edge]) {
      const log = async () => ((await docker.getContainer(`hive-${name}`).logs({ stdout: true, stderr: true, tail: 50 })) as unknown as Buffer).toString("latin1");
      await expect.poll(async () => (await log()).includes("SIGTERM received"), { timeout: 20_000 }).toBe(true);
    }
    const question = await askQuestion(a, asker, { question: "Anyone there?", ttl_seconds: 10 });
    const targetStartedAt = (await engineState(target))!.startedAt;

    cluster.stop();
    const outageStart = Date.now();
    const unavailable = { error: { code: "database_unavailable", message: "database unavailable; try again shortly" } };
    for (const server of [a, b]) {
      const refused = await act(server, target, "restart");
      expect(refused.status).toBe(503);
      expect(await refused.json()).toEqual(unavailable);
      expect(await health(server)).toEqual({ status: 503, db: "unreachable" });
    }
    const ask = await agentFetch(a, asker, "/api/agent/questions", { method: "POST", body: JSON.stringify({ question: "Still there?" }) });
    expect({ status: ask.status, body: await ask.json() }).toEqual({ status: 503, body: unavailable });
    // The page says what is wrong.
    const databaseAlert = page.getByRole("alert").filter({ hasText: "Database unavailable." });
    await expect(databaseAlert).toContainText("Nothing can be read or changed until it is back", { timeout: 20_000 });
    await page.screenshot({ path: test.info().outputPath("database-unavailable.png"), fullPage: false });
    // The stop the engine finished during the outage answers as done: it happened (its audit row comes later).
    expect((await edgeStop).status).toBe(200);
    // The database stays away for the whole 30 s; every look in that time finds it so.
    while (Date.now() - outageStart < OUTAGE_MS) {
      expect((await health(a)).status).toBe(503);
      await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, Math.max(0, OUTAGE_MS - (Date.now() - outageStart)))));
    }

    cluster.start();
    await database.connect();
    // Both replicas reconnect by themselves: same processes, healthy again.
    for (const server of [a, b]) await expect.poll(async () => (await health(server)).status, { timeout: 30_000 }).toBe(200);
    expect([a.child.pid, b.child.pid]).toEqual(pids);
    expect([a.child.exitCode, b.child.exitCode]).toEqual([null, null]);

    // The question whose deadline passed during the outage expires right after, once.
    await expect.poll(async () => (await (await agentFetch(a, asker, `/api/agent/questions/${question.id}`)).json()).status).toBe("expired");
    const expired = await (await agentFetch(a, asker, `/api/agent/questions/${question.id}`)).json();
    expect(Date.parse(expired.resolved_at)).toBeGreaterThanOrEqual(Date.parse(question.deadline_at!));

    // The in-flight stop's pill held through the outage on both replicas: its slot was not taken for a dead process's.
    for (const server of [a, b]) {
      const { containers } = await stateOf(server);
      expect(containers.find((view) => view.name === busy)?.pending).toMatchObject({ kind: "stopping" });
    }
    // The page recovers: the alert goes, the rows are there.
    await expect(databaseAlert).toHaveCount(0, { timeout: 20_000 });
    await expect(page.getByRole("alert").filter({ hasText: /Not up to date|Database unavailable/ })).toHaveCount(0);
    await expect(page.getByRole("row", { name: `Agent ${target}` }).getByText("running", { exact: true })).toBeVisible();

    // Nothing half done. The refused restarts did not happen: the engine's run is the same, desired still running, and
    // their audit rows (kept through the outage) say 503.
    expect((await engineState(target))!.startedAt).toBe(targetStartedAt);
    const rowsFor = async (name: string) =>
      (await database.query("select action, status, result, error_code from audit_log where target = $1 order by id", [name])).rows;
    await expect.poll(async () => (await rowsFor(target)).filter((row) => row.action === "agent.restart").length, { timeout: 15_000 }).toBe(2);
    expect((await rowsFor(target)).filter((row) => row.action === "agent.restart")).toEqual([
      { action: "agent.restart", status: 503, result: "error", error_code: "database_unavailable" },
      { action: "agent.restart", status: 503, result: "error", error_code: "database_unavailable" },
    ]);
    // The stop the engine finished during the outage happened whole: exited, desired stopped, its audit row written
    // once the database was back, and its pill gone.
    await expect.poll(async () => (await rowsFor(edge)).filter((row) => row.action === "agent.stop"), { timeout: 15_000 }).toEqual([
      { action: "agent.stop", status: 200, result: "ok", error_code: null },
    ]);
    expect(await stoppedCleanlySince(edge, stopsSentAt)).toBe(true);
    const desired = async (name: string) => (await database.query("select desired_state from agents where name = $1", [name])).rows[0]?.desired_state;
    expect(await desired(edge)).toBe("stopped");
    expect(await desired(target)).toBe("running");
    await expect.poll(async () => (await stateOf(a)).containers.find((view) => view.name === edge)?.pending ?? null).toBeNull();

    // A change made through B reaches the stream A had open all along: A listens again.
    const restarted = await act(b, target, "restart");
    expect(restarted.status).toBe(200);
    await expect
      .poll(() => seenOnA.some((event) => event.event === "change" && event.data.includes(`"kind":"action_started","agent":"${target}"`)))
      .toBe(true);
    expect(seenOnA.some((event) => event.event === "change" && event.data.includes('"kind":"resync"'))).toBe(true);

    // The long stop ends as it would have without the outage, and nobody reclaimed its slot on the way.
    expect((await busyStop).status).toBe(200);
    expect(await stoppedCleanlySince(busy, stopsSentAt)).toBe(true);
    expect(await desired(busy)).toBe("stopped");
    expect((await rowsFor(busy)).filter((row) => row.action === "agent.stop")).toEqual([{ action: "agent.stop", status: 200, result: "ok", error_code: null }]);
    expect((await stateOf(b)).activity.filter((event) => event.kind === "transient_reclaimed")).toEqual([]);
    const crashes = await database.query("select agent from crash_records where agent like $1", [`${prefix}-%`]);
    expect(crashes.rows).toEqual([]);
  } finally {
    // The replicas' own logs go with a failure's report.
    for (const [index, server] of servers.entries()) fs.writeFileSync(test.info().outputPath(`replica-${"ab"[index]}.log`), server.output());
    const edgeLog = await docker.getContainer(`hive-${prefix}-edge`).logs({ stdout: true, stderr: true, timestamps: true, tail: 200 }).catch(() => Buffer.from(""));
    fs.writeFileSync(test.info().outputPath("edge.log"), (edgeLog as unknown as Buffer).toString("latin1"));
    stream.abort();
    await Promise.all(servers.map((server) => server.stop()));
    await database.end().catch(() => undefined);
    cluster.destroy();
  }
});
