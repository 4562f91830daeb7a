import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawRequest, type RawResponse } from "../helpers/raw-http";
import { type ServerProcess, startServers, TEST_OPERATOR_TOKEN } from "../helpers/server";

let server: ServerProcess;
let https: ServerProcess;

beforeAll(async () => {
  [server, https] = await startServers({}, { HIVE_PUBLIC_URL: "https://hive.example.com" });
});
afterAll(async () => {
  await Promise.all([server?.stop(), https?.stop()]);
});

function expectSecurityHeaders(response: RawResponse, what: string) {
  expect(response.headers["x-content-type-options"], what).toBe("nosniff");
  expect(response.headers["referrer-policy"], what).toBe("no-referrer");
  expect(response.headers["x-frame-options"], what).toBe("DENY");
  expect(String(response.headers["content-security-policy"]), what).toContain("frame-ancestors 'none'");
}

describe("[HEADERS] security headers on every page and route", () => {
  it("sends them on pages (a fresh script nonce each time), API answers, streams, assets and edge errors", async () => {
    const bearer = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };
    const login = await rawRequest(server.port, { path: "/login" });
    expectSecurityHeaders(login, "page");
    const policy = String(login.headers["content-security-policy"]);
    const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
    expect(nonce).toBeTruthy();
    expect(login.text).toContain(`nonce="${nonce}"`); // Next's scripts and our theme script carry it
    expect(login.text).not.toMatch(/<script(?![^>]*nonce=)[^>]*>/); // and no script lacks it
    const again = await rawRequest(server.port, { path: "/login" });
    expect(again.headers["content-security-policy"]).not.toBe(policy);
    // A client cannot choose the nonce by sending a policy of its own.
    const chosen = await rawRequest(server.port, { path: "/login", headers: { "content-security-policy": "script-src 'nonce-attacker1234567890'" } });
    expect(chosen.text).not.toContain("attacker1234567890");

    const asset = /src="(\/_next\/static\/[^"]+\.js)"/.exec(login.text)![1]!;
    for (const [what, response] of [
      ["API JSON", await rawRequest(server.port, { path: "/api/state", headers: bearer })],
      ["API 401", await rawRequest(server.port, { path: "/api/state" })],
      ["API 404", await rawRequest(server.port, { path: "/api/nope" })],
      ["edge 400", await rawRequest(server.port, { path: "/api/agents/a/%2e%2e/b" })],
      ["edge 405", await rawRequest(server.port, { method: "TRACE", path: "/api/agents" })],
      ["page 405", await rawRequest(server.port, { method: "TRACE", path: "/" })],
      ["health", await rawRequest(server.port, { path: "/dashboard-healthz" })],
      ["asset", await rawRequest(server.port, { path: asset })],
      ["page 404", await rawRequest(server.port, { path: "/no-such-page" })],
    ] as const) {
      expectSecurityHeaders(response, what);
      if (what.startsWith("API") || what.startsWith("edge")) expect(response.headers["content-security-policy"]).toMatch(/^default-src 'none'/);
    }
    const stream = await fetch(`${server.baseUrl}/api/stream`, { headers: bearer });
    expect(stream.headers.get("x-content-type-options")).toBe("nosniff");
    expect(stream.headers.get("content-security-policy")).toMatch(/^default-src 'none'/);
    await stream.body?.cancel();

    expect(login.headers["strict-transport-security"]).toBeUndefined();
    const secure = await rawRequest(https.port, { path: "/login" });
    expect(secure.headers["strict-transport-security"]).toBe("max-age=31536000");
  });
});
