import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawRequest } from "../helpers/raw-http";
import { operatorFetch, type ServerProcess, startServers, TEST_OPERATOR_TOKEN } from "../helpers/server";

let local: ServerProcess; // no HIVE_PUBLIC_URL: the loopback names of the default are our origin
let behindProxy: ServerProcess; // public URL https://hive.example.com, proxy on 127.0.0.1

beforeAll(async () => {
  [local, behindProxy] = await startServers({}, { HIVE_PUBLIC_URL: "https://hive.example.com", HIVE_TRUSTED_PROXIES: "127.0.0.1" });
});
afterAll(async () => {
  await Promise.all([local?.stop(), behindProxy?.stop()]);
});

async function login(server: ServerProcess, headers: Record<string, string> = {}) {
  const response = await rawRequest(server.port, {
    method: "POST",
    path: "/api/session",
    headers: { "content-type": "application/json", origin: `http://127.0.0.1:${server.port}`, ...headers },
    body: JSON.stringify({ token: TEST_OPERATOR_TOKEN }),
  });
  return response;
}

async function sessionCookie(server: ServerProcess, origin: string) {
  const response = await login(server, { origin });
  expect(response.status, response.text).toBe(200);
  return String(response.headers["set-cookie"]).split(";")[0]!;
}

const mintWithCookie = (server: ServerProcess, cookie: string, headers: Record<string, string>, agent: string) =>
  rawRequest(server.port, {
    method: "POST",
    path: "/api/agent-tokens",
    headers: { cookie, "content-type": "application/json", ...headers },
    body: JSON.stringify({ agent }),
  });

const tokensOf = async (server: ServerProcess, agent: string) =>
  ((await (await operatorFetch(server, `/api/agent-tokens?agent=${agent}`)).json()) as { tokens: unknown[] }).tokens.length;

describe("[ORIGIN] same-origin check", () => {
  it("refuses a cookie POST from another origin whatever Host and X-Forwarded-Host claim", async () => {
    const cookie = await sessionCookie(local, `http://127.0.0.1:${local.port}`);
    const forged: Record<string, string>[] = [
      { origin: "https://evil.example", "x-forwarded-host": "evil.example" },
      { origin: "https://evil.example", host: "evil.example", "x-forwarded-proto": "https" },
      // DNS rebinding: the attacker's name resolves to us, so Host and Origin agree with each other.
      { origin: `http://evil.example:${local.port}`, host: `evil.example:${local.port}`, "sec-fetch-site": "same-origin" },
    ];
    for (const headers of forged) {
      const response = await mintWithCookie(local, cookie, headers, "origin-victim");
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(response.json().error.code).toBe("cross_site_request");
    }
    expect(await tokensOf(local, "origin-victim")).toBe(0);
    // Each loopback name of the default public URL is our own origin.
    for (const host of ["localhost", "127.0.0.1"]) {
      const response = await mintWithCookie(local, cookie, { origin: `http://${host}:${local.port}` }, "origin-ok");
      expect(response.status).toBe(201);
    }
  });

  it("behind a proxy, compares with HIVE_PUBLIC_URL, not with the Host the request reached", async () => {
    const cookie = await sessionCookie(behindProxy, "https://hive.example.com");
    const own = await mintWithCookie(behindProxy, cookie, { origin: "https://hive.example.com", "x-forwarded-host": "hive.example.com" }, "proxied-ok");
    expect(own.status).toBe(201);
    // The address the request reached is not the public URL: refused, even with a matching Host.
    const direct = await mintWithCookie(behindProxy, cookie, { origin: `http://127.0.0.1:${behindProxy.port}` }, "proxied-no");
    expect(direct.status).toBe(403);
    const forgedHost = await mintWithCookie(behindProxy, cookie, { origin: "https://evil.example", "x-forwarded-host": "evil.example" }, "proxied-no");
    expect(forgedHost.status).toBe(403);
    expect(await tokensOf(behindProxy, "proxied-no")).toBe(0);
  });
});

describe("[FORWARDED] X-Forwarded-* count only from HIVE_TRUSTED_PROXIES", () => {
  it("marks the session cookie Secure only when the public URL or a trusted proxy says https", async () => {
    const untrusted = await login(local, { "x-forwarded-proto": "https" });
    expect(String(untrusted.headers["set-cookie"])).not.toContain("Secure");
    const https = await login(behindProxy, { origin: "https://hive.example.com" });
    expect(String(https.headers["set-cookie"])).toContain("; Secure");
  });

  it("takes the client address from X-Forwarded-For only when a trusted proxy sent it", async () => {
    const spoofed = await rawRequest(local.port, { path: "/api/state", headers: { "x-forwarded-for": "203.0.113.9", "x-trace-id": "forwarded-untrusted-1" } });
    const proxied = await rawRequest(behindProxy.port, {
      path: "/api/state",
      headers: { "x-forwarded-for": "198.51.100.1, 203.0.113.9", "x-trace-id": "forwarded-trusted-01" },
    });
    expect([spoofed.status, proxied.status]).toEqual([401, 401]);
    const untrustedLine = await local.waitForLog((line) => line.traceId === "forwarded-untrusted-1" && line.msg === "request");
    expect(untrustedLine.client).toBe("127.0.0.1");
    // The nearest hop the trusted proxy saw; the left one was written by the client.
    const trustedLine = await behindProxy.waitForLog((line) => line.traceId === "forwarded-trusted-01" && line.msg === "request");
    expect(trustedLine.client).toBe("203.0.113.9");
  });
});
