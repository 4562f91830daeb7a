import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operatorFetch, type ServerProcess, startServer, tempDir } from "../helpers/server";

let server: ServerProcess;

beforeAll(async () => {
  // An engine endpoint nobody listens on.
  const socketPath = path.join(tempDir("hive-no-engine-"), "docker.sock");
  server = await startServer({ DOCKER_HOST: `unix://${socketPath}`, HIVE_RUNTIME_RETRY_BASE_MS: "100", HIVE_RUNTIME_RETRY_MAX_MS: "400", HIVE_RUNTIME_TIMEOUT_MS: "500" });
  await server.waitForLog((line) => line.msg === "docker unreachable; retrying");
});
afterAll(async () => {
  await server?.stop();
});

describe("journal routes while the engine is down", () => {
  it("answer 503 runtime_not_ready for reads and follows, in the one error shape", async () => {
    for (const path of ["/api/agents/some-agent/logs", "/api/agents/some-agent/logs?lines=5000&source=all", "/api/agents/some-agent/logs/stream"]) {
      const response = await operatorFetch(server, path);
      expect(response.status, path).toBe(503);
      expect(response.headers.get("content-type")).toContain("application/json");
      expect(await response.json()).toEqual({ error: { code: "runtime_not_ready", message: "container runtime not ready" } });
    }
  });

  it("still validate first: a bad request is 400 whatever the engine does", async () => {
    expect((await operatorFetch(server, "/api/agents/some-agent/logs?lines=many")).status).toBe(400);
    expect((await operatorFetch(server, "/api/agents/Bad%20Name/logs")).status).toBe(400);
    expect((await operatorFetch(server, "/api/agents/some-agent/logs/stream?source=everything")).status).toBe(400);
  });

  it("report no open engine streams", async () => {
    const response = await operatorFetch(server, "/api/diagnostics");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      installation: expect.stringMatching(/^inst-[0-9a-f]{12}$/),
      runtime: { status: "down", openLogStreams: {} },
      streams: { watchedCredentials: 0 },
    });
  });
});
