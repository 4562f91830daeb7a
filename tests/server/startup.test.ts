import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { agentFetch, mintAgentToken, operatorFetch, ROOT, type ServerProcess, startServer, tempDir } from "../helpers/server";

let servers: ServerProcess[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  servers = [];
});

async function login(server: ServerProcess, token: string) {
  return fetch(`${server.baseUrl}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.baseUrl },
    body: JSON.stringify({ token }),
  });
}

describe("start-up", () => {
  it("refuses a malformed environment with one message naming each bad variable", async () => {
    const server = await startServer(
      { PORT: "http", HIVE_RUNTIME_RETRY_BASE_MS: "-5", HIVE_AUTH_MODE: "ldap", DOCKER_HOST: "ssh://engine" },
      { waitForListening: false, port: 1 },
    );
    servers.push(server);
    expect(await server.exited).toBe(1);
    const output = server.output();
    expect(output).toContain("hive-dashboard: Invalid configuration:");
    expect(output).toContain("  - PORT: must be an integer");
    expect(output).toContain("  - HIVE_RUNTIME_RETRY_BASE_MS: must be at least 1");
    expect(output).toContain('  - HIVE_AUTH_MODE: must be "token" or "proxy"');
    expect(output).toContain("  - DOCKER_HOST: must look like unix:///var/run/docker.sock or tcp://host:2375");
  });

  it("generates an operator token at first start, prints its login URL once, and keeps it across restarts", async () => {
    const dataDir = tempDir("hive-data-");
    const first = await startServer({ HIVE_OPERATOR_TOKEN: undefined }, { dataDir });
    servers.push(first);
    const url = /http:\/\/localhost:\d+\/login#token=(hive_op_[A-Za-z0-9_-]+)/.exec(first.output());
    expect(url).not.toBeNull();
    const token = url![1]!;
    expect((await login(first, "hive_op_wrong-token-wrong-token")).status).toBe(401);
    const ok = await login(first, token);
    expect(ok.status).toBe(200);
    expect(await first.stop()).toBe(0);

    const second = await startServer({ HIVE_OPERATOR_TOKEN: undefined }, { dataDir });
    servers.push(second);
    await second.waitForLog((line) => String(line.msg).includes("with the operator token printed at first start"));
    expect(second.output()).not.toContain("#token=");
    expect((await login(second, token)).status).toBe(200);
    const stored = fs.readFileSync(path.join(dataDir, "pglite", "PG_VERSION"), "utf8");
    expect(stored.trim()).toMatch(/^\d+$/);
  });

  it("lets one process at a time open the embedded database and names the holder to the others", async () => {
    const first = await startServer();
    servers.push(first);
    const second = await startServer({}, { waitForListening: false, dataDir: first.dataDir });
    servers.push(second);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`The embedded database in ${first.dataDir} is in use by process ${first.child.pid}`);
    expect(second.output()).toContain("(dashboard server, since");

    const migrate = spawnSync("npm", ["run", "--silent", "db:migrate"], {
      cwd: ROOT,
      env: { ...process.env, HIVE_DATA_DIR: first.dataDir, DATABASE_URL: "" },
      encoding: "utf8",
    });
    expect(migrate.status).toBe(1);
    expect(migrate.stderr).toContain(`is in use by process ${first.child.pid}`);
    // the first server is unharmed
    expect((await fetch(`${first.baseUrl}/dashboard-healthz`)).status).toBe(200);
  });

  it("shuts down on SIGTERM: drains, closes the database, releases the lock, exits 0", async () => {
    const server = await startServer();
    await fetch(`${server.baseUrl}/dashboard-healthz`);
    expect(await server.stop("SIGTERM")).toBe(0);
    expect(server.logs().some((line) => line.msg === "dashboard stopped")).toBe(true);
    expect(fs.existsSync(path.join(server.dataDir, "hive.lock"))).toBe(false);
    const again = await startServer({}, { dataDir: server.dataDir });
    servers.push(again);
    expect((await fetch(`${again.baseUrl}/dashboard-healthz`)).status).toBe(200);
  });

  it("finishes in-flight requests on SIGTERM: long polls and streams end at once, then the process exits 0", async () => {
    const server = await startServer();
    const token = (await mintAgentToken(server, "waiter")).token;
    const asked = await agentFetch(server, token, "/api/agent/questions", { method: "POST", body: JSON.stringify({ question: "Still running?" }) });
    const { id } = await asked.json();
    const longPoll = agentFetch(server, token, `/api/agent/questions/${id}?wait_seconds=120`);
    const stream = await agentFetch(server, token, "/api/agent/events");
    const dashboard = await operatorFetch(server, "/api/stream");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stopped = Date.now();
    const exit = server.stop("SIGTERM");
    const answered = await longPoll;
    expect(answered.status).toBe(200);
    expect((await answered.json()).status).toBe("pending");
    await stream.text(); // ends instead of hanging
    await dashboard.text();
    expect(await exit).toBe(0);
    expect(Date.now() - stopped).toBeLessThan(10_000); // the drain did not wait for the 120 s poll
    const fresh = await startServer({}, { dataDir: server.dataDir });
    servers.push(fresh);
    const after = await agentFetch(fresh, token, `/api/agent/questions/${id}`);
    expect((await after.json()).status).toBe("pending"); // a shutdown decides nothing
  });

  it("runs db:migrate idempotently on the embedded database", () => {
    const dataDir = tempDir("hive-data-");
    for (let run = 0; run < 2; run++) {
      const result = spawnSync("npm", ["run", "--silent", "db:migrate"], {
        cwd: ROOT,
        env: { ...process.env, HIVE_DATA_DIR: dataDir, DATABASE_URL: "" },
        encoding: "utf8",
      });
      expect(result.status).toBe(0);
      expect(result.stdout).toContain("schema current");
    }
  });
});
