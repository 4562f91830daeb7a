import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentPrefix, cleanupAgents, engineState, eventually } from "../helpers/docker";
import { rawRequest, type RawResponse } from "../helpers/raw-http";
import { type ServerProcess, spawnAgent, startServer, TEST_OPERATOR_TOKEN } from "../helpers/server";

let server: ServerProcess;
const prefix = agentPrefix();
const bearer = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
  await cleanupAgents(prefix);
});

function expectJsonError(response: RawResponse, status: number, code: string) {
  expect(response.status, response.text).toBe(status);
  expect(response.headers["content-type"]).toMatch(/^application\/json/);
  const { error } = response.json();
  expect(error.code).toBe(code);
  expect(typeof error.message).toBe("string");
  return error as { code: string; message: string };
}

describe("[API ERRORS] every API answer is the one JSON error shape", () => {
  it("answers 404 JSON for API paths no route handles, whatever the method", async () => {
    for (const [method, path] of [
      ["GET", "/api"],
      ["GET", "/api/nope"],
      ["POST", "/api/agents/x/y/z/w"],
      ["DELETE", "/api/no/such/thing?x=1"],
    ] as const) {
      const error = expectJsonError(await rawRequest(server.port, { method, path, headers: bearer }), 404, "not_found");
      expect(error.message).toContain(path.split("?")[0]);
    }
  });

  it("refuses encoded and plain dot segments with 400 and acts on no agent", async () => {
    const a = `${prefix}-a`;
    const b = `${prefix}-b`;
    await spawnAgent(server, a);
    await spawnAgent(server, b);
    for (const path of [
      `/api/agents/${a}/%2e%2e/${b}/stop`,
      `/api/agents/${a}/%2E%2E/${b}/stop`,
      `/api/agents/${a}/.%2e/${b}/stop`,
      `/api/agents/${a}/../${b}/stop`,
      `/api/agents/${a}%2f..%2f${b}/stop`,
      `/api/agents/%2e/${b}/stop`,
    ]) {
      const response = await rawRequest(server.port, { method: "POST", path, headers: { ...bearer, "content-type": "application/json" }, body: "{}" });
      expectJsonError(response, 400, "invalid_request");
    }
    expect((await engineState(a))?.status).toBe("running");
    expect((await engineState(b))?.status).toBe("running");
    await eventually(async () => (await engineState(b))?.status === "running", "b still running");
  });

  it("answers a method a route does not take with 405 JSON and its Allow header", async () => {
    const put = await rawRequest(server.port, { method: "PUT", path: "/api/agents", headers: { ...bearer, "content-type": "application/json" }, body: "{}" });
    const error = expectJsonError(put, 405, "method_not_allowed");
    expect(put.headers.allow).toBe("GET, HEAD, OPTIONS, POST");
    expect(error.message).toContain("PUT");
    const trace = await rawRequest(server.port, { method: "TRACE", path: "/api/agents", headers: bearer });
    expectJsonError(trace, 405, "method_not_allowed");
    expect(trace.headers.allow).toBe("GET, HEAD, OPTIONS, POST");
    const page = await rawRequest(server.port, { method: "TRACE", path: "/" });
    expectJsonError(page, 405, "method_not_allowed");
    expect(page.headers.allow).toBe("GET, HEAD");
    expectJsonError(await rawRequest(server.port, { method: "TRACE", path: "/api/nothing-here" }), 404, "not_found");
    // What a route does take still works.
    expect((await rawRequest(server.port, { method: "GET", path: "/api/agents", headers: bearer })).status).toBe(200);
  });

  it("treats a malformed session cookie as no session: 401 JSON, the login page, and a working login", async () => {
    const cookie = { cookie: "hive_session=%E0%A4%A" };
    expectJsonError(await rawRequest(server.port, { path: "/api/state", headers: cookie }), 401, "unauthorized");
    const page = await rawRequest(server.port, { path: "/", headers: cookie });
    expect(page.status).toBeLessThan(400);
    const login = await rawRequest(server.port, {
      method: "POST",
      path: "/api/session",
      headers: { ...cookie, "content-type": "application/json", origin: server.baseUrl },
      body: JSON.stringify({ token: TEST_OPERATOR_TOKEN }),
    });
    expect(login.status, login.text).toBe(200);
  });
});
