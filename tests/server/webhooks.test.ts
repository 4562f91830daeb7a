import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { agentPrefix, cleanupAgents, eventually } from "../helpers/docker";
import { createMigratedDatabase } from "../helpers/postgres";
import { askQuestion, mintAgentToken, operatorFetch, type ServerProcess, startServers } from "../helpers/server";

// A real receiver on 127.0.0.1: /ok answers 200, /flaky 500 twice per event then 200, /hang never answers.
type Received = { path: string; headers: http.IncomingHttpHeaders; body: string };
const received: Received[] = [];
const hanging = new Set<http.ServerResponse>();
const flakyTries = new Map<string, number>();
const receiver = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    const entry = { path: request.url ?? "", headers: request.headers, body: Buffer.concat(chunks).toString("utf8") };
    received.push(entry);
    if (entry.path === "/hang") {
      hanging.add(response);
      response.on("close", () => hanging.delete(response));
      return;
    }
    if (entry.path === "/flaky") {
      const key = String(request.headers["x-hive-event-id"]);
      const tries = (flakyTries.get(key) ?? 0) + 1;
      flakyTries.set(key, tries);
      if (tries <= 2) return void response.writeHead(500).end("not yet");
    }
    response.writeHead(200, { "content-type": "text/plain" }).end("thanks");
  });
});

const prefix = agentPrefix();
let url: string;
let replicas: [ServerProcess, ServerProcess];
let target: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  url = await createMigratedDatabase(inject("postgresAdminUrl"));
  const env = { DATABASE_URL: url, HIVE_WEBHOOK_RETRY_BASE_MS: "200", HIVE_WEBHOOK_TIMEOUT_MS: "60000" };
  replicas = await startServers(env, env);
}, 180_000);
afterAll(async () => {
  for (const response of hanging) response.destroy();
  await Promise.all((replicas ?? []).map((server) => server.stop()));
  await new Promise((resolve) => receiver.close(resolve));
  await cleanupAgents(prefix);
});

async function createWebhook(server: ServerProcess, path: string, events: string[]) {
  const response = await operatorFetch(server, "/api/webhooks", { method: "POST", body: JSON.stringify({ url: `${target}${path}`, events }) });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as { webhook: { id: string; secretHint: string }; secret: string };
}

async function deliveryRows(webhookId: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query("select id, event_key, status, attempts, last_status, claimed_by from webhook_deliveries where webhook_id = $1", [webhookId])).rows;
  } finally {
    await client.end();
  }
}

const verifies = (secret: string, entry: Received) =>
  entry.headers["x-hive-signature"] === `sha256=${createHmac("sha256", secret).update(`${entry.headers["x-hive-timestamp"]}.${entry.body}`).digest("hex")}`;

describe("[WEBHOOKS] outgoing webhooks to a real receiver, two replicas on one PostgreSQL", () => {
  it("validates targets and never shows a secret again", async () => {
    const [first] = replicas;
    for (const bad of ["ftp://127.0.0.1/x", "http://operator:hunter2-secret@127.0.0.1/x", "not a url", "javascript:alert(1)"]) {
      const response = await operatorFetch(first, "/api/webhooks", { method: "POST", body: JSON.stringify({ url: bad, events: ["engine.down"] }) });
      expect(response.status, bad).toBe(400);
      expect((await response.json()).error.code).toBe("invalid_request");
    }
    expect(first.output()).not.toContain("hunter2-secret");
    const created = await createWebhook(first, "/ok", ["engine.down"]);
    expect(created.secret).toMatch(/^whsec_/);
    const listed = await (await operatorFetch(replicas[1], "/api/webhooks")).text();
    expect(listed).toContain(created.webhook.id);
    expect(listed).not.toContain(created.secret);
    expect(listed).toContain(created.webhook.secretHint);
    expect((await operatorFetch(first, `/api/webhooks/${created.webhook.id}`, { method: "DELETE" })).status).toBe(200);
    expect((await operatorFetch(first, `/api/webhooks/${created.webhook.id}`, { method: "DELETE" })).status).toBe(404);
  });

  it("delivers each event once across the replicas, signed; retries 500s until success; a test button", { timeout: 180_000 }, async () => {
    const [first, second] = replicas;
    const ok = await createWebhook(first, "/ok", ["question.waiting", "question.expiring"]);
    const flaky = await createWebhook(second, "/flaky", ["question.waiting"]);
    const token = (await mintAgentToken(first, `${prefix}-asker`)).token;
    const asked: string[] = [];
    // Twenty questions through both replicas; the 30 s ones are also about to expire (two events each).
    for (let index = 0; index < 20; index++) {
      const question = await askQuestion(index % 2 ? second : first, token, { question: `question ${index}?`, ...(index < 5 ? { ttl_seconds: 30 } : {}) });
      asked.push(question.id);
    }
    await eventually(async () => (await deliveryRows(ok.webhook.id)).filter((row) => row.status === "delivered").length === 25, "all 25 deliveries to /ok", 60_000);
    await eventually(async () => (await deliveryRows(flaky.webhook.id)).filter((row) => row.status === "delivered").length === 20, "the flaky endpoint's 20, after retries", 90_000);

    const toOk = received.filter((entry) => entry.path === "/ok");
    // Exactly once: 25 requests for 25 distinct events, none sent by both replicas.
    expect(toOk).toHaveLength(25);
    expect(new Set(toOk.map((entry) => entry.headers["x-hive-event-id"])).size).toBe(25);
    expect(toOk.every((entry) => verifies(ok.secret, entry))).toBe(true);
    const bodies = toOk.map((entry) => JSON.parse(entry.body));
    expect(bodies.filter((body) => body.type === "question.waiting").map((body) => body.data.questionId).sort()).toEqual([...asked].sort());
    expect(bodies.filter((body) => body.type === "question.expiring").map((body) => body.data.questionId).sort()).toEqual(asked.slice(0, 5).sort());
    expect(bodies[0]).toMatchObject({ schema: "hive.webhook/v1", dashboard: { url: expect.any(String) } });
    // Both replicas took a share of the work (SKIP LOCKED claims), and no row was delivered twice.
    const claimers = new Set((await deliveryRows(ok.webhook.id)).concat(await deliveryRows(flaky.webhook.id)).map((row) => row.claimed_by));
    expect(claimers.size).toBe(2);

    const toFlaky = received.filter((entry) => entry.path === "/flaky");
    expect(toFlaky).toHaveLength(60); // 500, 500, 200 for each of the 20
    expect(toFlaky.every((entry) => verifies(flaky.secret, entry))).toBe(true);
    const flakyRows = await deliveryRows(flaky.webhook.id);
    expect(flakyRows.every((row) => row.attempts === 3 && row.last_status === 200)).toBe(true);
    const log = await (await operatorFetch(first, `/api/webhooks/${flaky.webhook.id}/deliveries?limit=5`)).json();
    expect(log.deliveries).toHaveLength(5);
    expect(log.deliveries[0]).toMatchObject({ status: "delivered", attempts: 3, lastStatus: 200, lastResponse: "thanks" });

    const test = await operatorFetch(second, `/api/webhooks/${ok.webhook.id}/test`, { method: "POST" });
    expect(test.status).toBe(202);
    await eventually(async () => received.some((entry) => entry.path === "/ok" && entry.headers["x-hive-event"] === "webhook.test"), "the test delivery");
  });

  it("a dead endpoint holds only its deliveries: actions and questions go on while they hang", { timeout: 120_000 }, async () => {
    const [first, second] = replicas;
    // Only the dead endpoint listens now.
    for (const hook of (await (await operatorFetch(first, "/api/webhooks")).json()).webhooks) {
      await operatorFetch(first, `/api/webhooks/${hook.id}`, { method: "DELETE" });
    }
    const dead = await createWebhook(first, "/hang", ["question.waiting"]);
    const token = (await mintAgentToken(first, `${prefix}-dead`)).token;
    for (let index = 0; index < 20; index++) await askQuestion(first, token, { question: `into the void ${index}?` });
    await eventually(async () => hanging.size >= 1, "deliveries held by the dead endpoint", 30_000);
    const held = hanging.size;
    // With every delivery stuck, the dashboard still answers: a question asked, answered and read back on each replica.
    for (const server of [first, second]) {
      const question = await askQuestion(server, token, { question: "still there?" });
      const answered = await operatorFetch(server, `/api/questions/${question.id}/answer`, { method: "POST", body: JSON.stringify({ text: "yes" }) });
      expect(answered.status).toBe(200);
      expect((await operatorFetch(server, "/api/state")).status).toBe(200);
    }
    expect(hanging.size).toBeGreaterThanOrEqual(held); // still hanging: nothing above waited for them
    expect((await deliveryRows(dead.webhook.id)).filter((row) => row.status === "delivering").length).toBeGreaterThanOrEqual(held);
    await operatorFetch(first, `/api/webhooks/${dead.webhook.id}`, { method: "DELETE" });
  });
});
