import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintAgentToken, type ServerProcess, startServer, TEST_OPERATOR_TOKEN } from "../helpers/server";

// The test talks through 127.0.0.1, a trusted proxy here, so X-Forwarded-For gives each client its own address.
let server: ServerProcess;

beforeAll(async () => {
  server = await startServer({ HIVE_TRUSTED_PROXIES: "127.0.0.1" });
});
afterAll(async () => {
  await server?.stop();
});

const from = (address: string, headers: Record<string, string> = {}) => ({ "x-forwarded-for": address, ...headers });
const bearer = (address: string, token: string, path = "/api/state") =>
  fetch(`${server.baseUrl}${path}`, { headers: from(address, { authorization: `Bearer ${token}` }) });
const login = (address: string, token: string) =>
  fetch(`${server.baseUrl}/api/session`, {
    method: "POST",
    headers: from(address, { "content-type": "application/json", origin: server.baseUrl }),
    body: JSON.stringify({ token }),
  });

async function expectThrottled(response: Response): Promise<number> {
  expect(response.status).toBe(429);
  const retryAfter = Number(response.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  const { error } = await response.json();
  expect(error).toMatchObject({ code: "rate_limited", retryAfterSeconds: retryAfter });
  expect(error.message).toContain(`try again in ${retryAfter} s`);
  return retryAfter;
}

const waitSeconds = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000 + 100));

describe("[THROTTLE] failed credentials are limited per client address", () => {
  it("limits wrong Bearer tokens on any route, says when to retry, and does not lock the real operator out", async () => {
    const attacker = "203.0.113.10";
    const session = await login(attacker, TEST_OPERATOR_TOKEN);
    const cookie = session.headers.get("set-cookie")!.split(";")[0]!;
    const agent = await mintAgentToken(server, "throttle-agent");

    const statuses: number[] = [];
    const routes = ["/api/state", "/api/agents", "/api/audit", "/api/agent/inbox", "/api/agent-tokens"];
    for (let attempt = 0; attempt < 40; attempt++) {
      const response = await bearer(attacker, `hive_op_wrong-guess-${attempt}`, routes[attempt % routes.length]);
      statuses.push(response.status);
      if (response.status === 429) expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
    expect(statuses.slice(0, 10)).toEqual(new Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(new Array(30).fill(429));

    // From the same address while it waits: a session cookie and an agent token cannot be guessed, so they pass.
    expect((await fetch(`${server.baseUrl}/api/state`, { headers: from(attacker, { cookie }) })).status).toBe(200);
    expect((await bearer(attacker, agent.token, "/api/agent/inbox")).status).toBe(200);
    // The operator token can be: it is not checked until the time the 429 states, then it works.
    const retryAfter = await expectThrottled(await bearer(attacker, TEST_OPERATOR_TOKEN));
    await waitSeconds(retryAfter);
    expect((await bearer(attacker, TEST_OPERATOR_TOKEN)).status).toBe(200);
    expect((await bearer(attacker, "hive_op_wrong-again")).status).toBe(401); // the success cleared the address

    // Another address was never held up.
    expect((await bearer("198.51.100.20", TEST_OPERATOR_TOKEN)).status).toBe(200);
    expect((await bearer("198.51.100.20", "hive_op_typo")).status).toBe(401);
  });

  it("limits wrong logins the same way: Retry-After, and the correct token once the wait is over", async () => {
    const address = "203.0.113.11";
    for (let attempt = 0; attempt < 10; attempt++) expect((await login(address, `wrong-${attempt}`)).status).toBe(401);
    await expectThrottled(await login(address, "wrong-again"));
    const retryAfter = await expectThrottled(await login(address, TEST_OPERATOR_TOKEN));
    await waitSeconds(retryAfter);
    const ok = await login(address, TEST_OPERATOR_TOKEN);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("set-cookie")).toMatch(/^hive_session=/);
  });

  it("counts forged session cookies and wrong agent tokens as failed credentials", async () => {
    const address = "203.0.113.12";
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await fetch(`${server.baseUrl}/api/state`, { headers: from(address, { cookie: `hive_session=ses_forged${attempt}.bad-signature` }) })).status).toBe(401);
      expect((await bearer(address, `hive_ag_forged-${attempt}`, "/api/agent/inbox")).status).toBe(401);
    }
    await expectThrottled(await fetch(`${server.baseUrl}/api/state`, { headers: from(address, { cookie: "hive_session=ses_forged.bad-signature" }) }));
    await expectThrottled(await bearer(address, "hive_ag_forged-again", "/api/agent/inbox"));
  });
});
