import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { operatorFetch, type ServerProcess, startServer, tempDir } from "../helpers/server";

const FAST_RETRY = {
  HIVE_RUNTIME_RETRY_BASE_MS: "100",
  HIVE_RUNTIME_RETRY_MAX_MS: "400",
  HIVE_RUNTIME_RETRY_JITTER_MS: "50",
  HIVE_RUNTIME_TIMEOUT_MS: "500",
};

/** A unix socket that forwards to the real engine once `connect()` is called; until then nobody listens. */
function engineDoor(socketPath: string) {
  let server: net.Server | undefined;
  return {
    async open() {
      server = net.createServer((client) => {
        const upstream = net.connect("/var/run/docker.sock");
        client.pipe(upstream).pipe(client);
        client.on("error", () => upstream.destroy());
        upstream.on("error", () => client.destroy());
      });
      await new Promise<void>((resolve) => server!.listen(socketPath, resolve));
    },
    close() {
      server?.close();
    },
  };
}

let servers: ServerProcess[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  servers = [];
});

describe("the container engine is a soft dependency", () => {
  it("serves with the engine unreachable, answers 503 on engine routes, logs each failure, and recovers without a restart", async () => {
    const socketPath = path.join(tempDir("hive-engine-"), "docker.sock");
    const server = await startServer({ DOCKER_HOST: `unix://${socketPath}`, ...FAST_RETRY });
    servers.push(server);

    await server.waitForLog((line) => line.msg === "docker unreachable; retrying" && Number(line.consecutiveFailures) >= 2);
    const health = await fetch(`${server.baseUrl}/dashboard-healthz`);
    expect(health.status).toBe(200);
    const report = await health.json();
    expect(report).toMatchObject({
      status: "degraded",
      db: "healthy",
      runtime: { status: "down", endpoint: `unix://${socketPath}`, lastError: { code: "ENOENT" } },
    });
    expect(report.runtime.consecutiveFailures).toBeGreaterThanOrEqual(2);
    expect(Date.parse(report.runtime.nextRetryAt)).toBeGreaterThan(Date.parse(report.runtime.lastFailureAt));
    expect(report.runtime.lastSuccessAt).toBeNull();

    const agents = await operatorFetch(server, "/api/agents");
    expect(agents.status).toBe(503);
    expect(await agents.json()).toEqual({ error: { code: "runtime_not_ready", message: "container runtime not ready" } });

    const failure = server.logs().find((line) => line.msg === "docker unreachable; retrying")!;
    expect(failure).toMatchObject({ dependency: "docker", endpoint: `unix://${socketPath}`, errorCode: "ENOENT" });
    for (const field of ["message", "retryInMs", "nextRetryAt", "consecutiveFailures"]) expect(failure).toHaveProperty(field);

    const door = engineDoor(socketPath);
    await door.open();
    try {
      await server.waitForLog((line) => line.msg === "docker is reachable", 10_000);
      const recovered = await (await fetch(`${server.baseUrl}/dashboard-healthz`)).json();
      expect(recovered.runtime.status).toBe("up");
      expect(recovered.status).toBe("ok");
      const listed = await operatorFetch(server, "/api/agents");
      expect(listed.status).toBe(200);
      expect(Array.isArray((await listed.json()).agents)).toBe(true);
      expect(server.child.exitCode).toBeNull(); // same process throughout
    } finally {
      door.close();
    }
  });

  it("answers the health probe within 1 s while the engine hangs", async () => {
    const socketPath = path.join(tempDir("hive-hang-"), "docker.sock");
    const held: net.Socket[] = [];
    const hanging = net.createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => hanging.listen(socketPath, resolve));
    try {
      const server = await startServer({ DOCKER_HOST: `unix://${socketPath}`, ...FAST_RETRY, HIVE_RUNTIME_TIMEOUT_MS: "5000" });
      servers.push(server);
      for (let probe = 0; probe < 5; probe++) {
        const started = performance.now();
        const response = await fetch(`${server.baseUrl}/dashboard-healthz`, { signal: AbortSignal.timeout(1_000) });
        expect(response.status).toBe(200);
        expect(performance.now() - started).toBeLessThan(1_000);
        await response.json();
      }
      await server.waitForLog((line) => line.msg === "docker unreachable; retrying" && line.errorCode === "ETIMEDOUT", 15_000);
    } finally {
      for (const socket of held) socket.destroy();
      hanging.close();
    }
  });

  it("stops probing when retries are exhausted and keeps serving", async () => {
    const server = await startServer({
      DOCKER_HOST: `unix://${path.join(tempDir(), "none.sock")}`,
      ...FAST_RETRY,
      HIVE_RUNTIME_MAX_RETRIES: "2",
    });
    servers.push(server);
    await server.waitForLog((line) => String(line.msg).includes("retries exhausted"));
    const report = await (await fetch(`${server.baseUrl}/dashboard-healthz`)).json();
    expect(report.runtime).toMatchObject({ status: "down", retriesExhausted: true, nextRetryAt: null, consecutiveFailures: 3 });
    await new Promise((resolve) => setTimeout(resolve, 800));
    const failures = server.logs().filter((line) => line.msg === "docker unreachable; retrying");
    expect(failures).toHaveLength(2);
    expect((await fetch(`${server.baseUrl}/dashboard-healthz`)).status).toBe(200);
  });

  it("fails fast at start when the engine is required (HIVE_RUNTIME_OPTIONAL=false)", async () => {
    const socketPath = path.join(tempDir(), "none.sock");
    const server = await startServer(
      { DOCKER_HOST: `unix://${socketPath}`, HIVE_RUNTIME_OPTIONAL: "false", ...FAST_RETRY },
      { waitForListening: false },
    );
    servers.push(server);
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain(`The Docker engine at unix://${socketPath} is unreachable (ENOENT`);
    expect(server.output()).toContain("HIVE_RUNTIME_OPTIONAL=false requires it at start");
    expect(fs.existsSync(path.join(server.dataDir, "hive.lock"))).toBe(false);
  });
});
