import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintAgentToken, operatorFetch, type ServerProcess, startServer, TEST_OPERATOR_TOKEN } from "../helpers/server";

let server: ServerProcess;

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

async function loginCookie(): Promise<string> {
  const response = await fetch(`${server.baseUrl}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.baseUrl },
    body: JSON.stringify({ token: TEST_OPERATOR_TOKEN }),
  });
  expect(response.status).toBe(200);
  return response.headers.get("set-cookie")!;
}

const cookieValue = (setCookie: string) => setCookie.split(";")[0]!;

describe("operator access", () => {
  it("answers 401 with the one error shape when there is no session or token", async () => {
    for (const path of ["/api/state", "/api/agents", "/api/agent-tokens", "/api/audit"]) {
      const response = await fetch(`${server.baseUrl}${path}`);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: { code: "unauthorized", message: "log in as an operator first" } });
    }
  });

  it("exchanges the token for an HttpOnly SameSite=Strict session cookie, and logout ends it", async () => {
    const setCookie = await loginCookie();
    expect(setCookie).toMatch(/^hive_session=ses_[^;]+; Path=\/; HttpOnly; SameSite=Strict; Expires=/);
    const cookie = cookieValue(setCookie);
    const session = await fetch(`${server.baseUrl}/api/session`, { headers: { cookie } });
    expect(await session.json()).toEqual({ operator: "operator", via: "session", authMode: "token" });

    const logout = await fetch(`${server.baseUrl}/api/session`, { method: "DELETE", headers: { cookie, origin: server.baseUrl } });
    expect(logout.status).toBe(200);
    expect(logout.headers.get("set-cookie")).toContain("Max-Age=0");
    expect((await fetch(`${server.baseUrl}/api/state`, { headers: { cookie } })).status).toBe(401);
  });

  it("refuses a forged or tampered session cookie", async () => {
    const cookie = cookieValue(await loginCookie());
    const tampered = cookie.replace(/.$/, (last) => (last === "A" ? "B" : "A"));
    expect((await fetch(`${server.baseUrl}/api/state`, { headers: { cookie: tampered } })).status).toBe(401);
  });

  it("refuses cross-site state changes that ride on the cookie", async () => {
    const cookie = cookieValue(await loginCookie());
    const attempts: Record<string, string>[] = [
      { origin: "http://evil.example" },
      { "sec-fetch-site": "cross-site", origin: server.baseUrl },
      { "sec-fetch-site": "same-site" },
      {}, // neither Origin nor Sec-Fetch-Site
    ];
    for (const headers of attempts) {
      const response = await fetch(`${server.baseUrl}/api/agent-tokens`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json", ...headers },
        body: JSON.stringify({ agent: "csrf-target" }),
      });
      expect(response.status).toBe(403);
      expect((await response.json()).error.code).toBe("cross_site_request");
    }
    const sameOrigin = await fetch(`${server.baseUrl}/api/agent-tokens`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json", origin: server.baseUrl, "sec-fetch-site": "same-origin" },
      body: JSON.stringify({ agent: "csrf-target" }),
    });
    expect(sameOrigin.status).toBe(201);
    const login = await fetch(`${server.baseUrl}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://evil.example" },
      body: JSON.stringify({ token: TEST_OPERATOR_TOKEN }),
    });
    expect(login.status).toBe(403);
  });

  it("rejects a wrong bearer token and a malformed Authorization header", async () => {
    expect((await fetch(`${server.baseUrl}/api/state`, { headers: { authorization: "Bearer hive_op_nope-nope-nope-nope" } })).status).toBe(401);
    expect((await fetch(`${server.baseUrl}/api/state`, { headers: { authorization: "Basic Zm9vOmJhcg==" } })).status).toBe(401);
  });
});

describe("agent identity", () => {
  it("lets an agent act only as itself, keeps agents off operator routes, and stops revoked tokens", async () => {
    const alpha = await mintAgentToken(server, "alpha");
    const beta = await mintAgentToken(server, "beta", "manager");
    const asAgent = (token: string, path: string) => fetch(`${server.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });

    const own = await asAgent(alpha.token, "/api/agent/agents/alpha");
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({ agent: "alpha", role: "agent" });
    expect(await (await asAgent(beta.token, "/api/agent/agents/beta")).json()).toMatchObject({ role: "manager" });

    const other = await asAgent(beta.token, "/api/agent/agents/alpha");
    expect(other.status).toBe(403);
    expect((await other.json()).error).toEqual({ code: "forbidden", message: "this token belongs to agent beta, not alpha" });

    expect((await asAgent(alpha.token, "/api/agents")).status).toBe(403);
    expect((await asAgent(alpha.token, "/api/agent-tokens")).status).toBe(403);
    expect((await operatorFetch(server, "/api/agent/agents/alpha")).status).toBe(403);
    expect((await fetch(`${server.baseUrl}/api/agent/agents/alpha`)).status).toBe(401);

    const listed = await (await operatorFetch(server, "/api/agent-tokens?agent=alpha")).json();
    expect(listed.tokens).toEqual([expect.objectContaining({ id: alpha.id, agent: "alpha", role: "agent", revokedAt: null })]);
    expect(JSON.stringify(listed)).not.toContain(alpha.token);

    expect((await operatorFetch(server, `/api/agent-tokens/${alpha.id}`, { method: "DELETE" })).status).toBe(200);
    expect((await asAgent(alpha.token, "/api/agent/agents/alpha")).status).toBe(401);
    expect((await operatorFetch(server, `/api/agent-tokens/${alpha.id}`, { method: "DELETE" })).status).toBe(404);
  });
});

describe("bad input", () => {
  it("answers 413 for bodies over 64 KB, 400 for malformed JSON, 415 for non-JSON, 400 listing zod issues", async () => {
    const big = await operatorFetch(server, "/api/agent-tokens", { method: "POST", body: JSON.stringify({ agent: "a".repeat(70_000) }) });
    expect(big.status).toBe(413);
    expect((await big.json()).error.code).toBe("payload_too_large");

    const malformed = await operatorFetch(server, "/api/agent-tokens", { method: "POST", body: '{"agent": "x",' });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toBe("malformed_json");

    const form = await operatorFetch(server, "/api/agent-tokens", {
      method: "POST",
      body: "agent=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(415);

    const invalid = await operatorFetch(server, "/api/agent-tokens", { method: "POST", body: JSON.stringify({ agent: "../etc", role: "root", extra: 1 }) });
    expect(invalid.status).toBe(400);
    const { error } = await invalid.json();
    expect(error.code).toBe("invalid_request");
    expect(error.issues.map((issue: { path: string }) => issue.path).sort()).toEqual(["(root)", "agent", "role"]);
    expect(JSON.stringify(error)).not.toMatch(/at .*\.(js|ts):\d+/); // no stack frames
  });
});

describe("trace ids and the audit log", () => {
  it("keeps a well-formed X-Trace-Id, replaces a malformed one, and logs every line of the request with it", async () => {
    const kept = await fetch(`${server.baseUrl}/dashboard-healthz`, { headers: { "x-trace-id": "probe-trace-0001" } });
    expect(kept.headers.get("x-trace-id")).toBe("probe-trace-0001");
    const replaced = await fetch(`${server.baseUrl}/dashboard-healthz`, { headers: { "x-trace-id": "not a valid id; <script>" } });
    expect(replaced.headers.get("x-trace-id")).toMatch(/^[0-9a-f]{32}$/);
    const generated = await fetch(`${server.baseUrl}/api/state`);
    const traceId = generated.headers.get("x-trace-id")!;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const line = await server.waitForLog((entry) => entry.traceId === traceId && entry.msg === "request");
    expect(line).toMatchObject({ method: "GET", path: "/api/state", status: 401, actor: "anonymous" });
  });

  it("writes who, what, target, result and trace id for every mutating request", async () => {
    const minted = await operatorFetch(server, "/api/agent-tokens", {
      method: "POST",
      body: JSON.stringify({ agent: "audited", role: "agent" }),
      headers: { "x-trace-id": "audit-trace-ok-1" },
    });
    expect(minted.status).toBe(201);
    const refused = await fetch(`${server.baseUrl}/api/agent-tokens`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://evil.example", "x-trace-id": "audit-trace-refused-1" },
      body: JSON.stringify({ agent: "audited" }),
    });
    expect(refused.status).toBe(403);
    const { entries } = await (await operatorFetch(server, "/api/audit?limit=50")).json();
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actorKind: "operator",
          actor: "operator",
          action: "agent_token.mint",
          target: "audited",
          result: "ok",
          status: 201,
          traceId: "audit-trace-ok-1",
        }),
        expect.objectContaining({
          actorKind: "anonymous",
          action: "agent_token.mint",
          result: "error",
          status: 403,
          errorCode: "cross_site_request",
          traceId: "audit-trace-refused-1",
        }),
      ]),
    );
  });
});

describe("proxy mode", () => {
  it("trusts the identity header only from configured proxy addresses", async () => {
    const trusted = await startServer({ HIVE_AUTH_MODE: "proxy", HIVE_TRUSTED_PROXIES: "127.0.0.1,::1" });
    const untrusted = await startServer({ HIVE_AUTH_MODE: "proxy", HIVE_TRUSTED_PROXIES: "10.20.30.40" });
    try {
      const asAlice = { "x-forwarded-user": "alice@example.com" };
      const session = await fetch(`${trusted.baseUrl}/api/session`, { headers: asAlice });
      expect(await session.json()).toEqual({ operator: "alice@example.com", via: "proxy", authMode: "proxy" });
      const crossSite = await fetch(`${trusted.baseUrl}/api/agent-tokens`, {
        method: "POST",
        headers: { ...asAlice, "content-type": "application/json", origin: "http://evil.example" },
        body: JSON.stringify({ agent: "proxy-made" }),
      });
      expect(crossSite.status).toBe(403);
      const sameOrigin = await fetch(`${trusted.baseUrl}/api/agent-tokens`, {
        method: "POST",
        headers: { ...asAlice, "content-type": "application/json", origin: trusted.baseUrl },
        body: JSON.stringify({ agent: "proxy-made" }),
      });
      expect(sameOrigin.status).toBe(201);
      expect((await sameOrigin.json()).agent).toBe("proxy-made");

      // A client cannot claim to be the proxy by sending the internal address header itself.
      const spoofed = await fetch(`${untrusted.baseUrl}/api/session`, {
        headers: { ...asAlice, "x-hive-remote-addr": "10.20.30.40" },
      });
      expect(spoofed.status).toBe(401);
      // Scripts still get in with the operator token.
      const scripted = await fetch(`${untrusted.baseUrl}/api/session`, { headers: { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` } });
      expect(scripted.status).toBe(200);
    } finally {
      await Promise.all([trusted.stop(), untrusted.stop()]);
    }
  });
});
