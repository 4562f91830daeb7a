import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shippedMigrations } from "@/server/db/client";
import { createDatabase, type PostgresCluster, startPostgres } from "../helpers/postgres";
import { operatorFetch, ROOT, startServer } from "../helpers/server";

// This file owns its cluster: it stops and restarts PostgreSQL under a running dashboard.
let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(() => cluster?.destroy());

function migrate(url: string) {
  return spawnSync("npm", ["run", "--silent", "db:migrate"], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url }, encoding: "utf8" });
}

describe("external PostgreSQL", () => {
  it("refuses to start on a database that was not migrated, naming the fix", async () => {
    const url = await createDatabase(cluster.url());
    const server = await startServer({ DATABASE_URL: url }, { waitForListening: false });
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain("is missing migrations");
    expect(server.output()).toContain("Run `npm run db:migrate` with the same DATABASE_URL");
  });

  it("is migrated by db:migrate (idempotently), then serves; requests fail with 503 while the database is down and succeed after, without a restart", async () => {
    const url = await createDatabase(cluster.url());
    const first = migrate(url);
    expect(first.status).toBe(0);
    const shipped = shippedMigrations().length;
    expect(first.stdout).toContain(`: ${shipped} applied, ${shipped} in this build, schema current`);
    const second = migrate(url);
    expect(second.stdout).toContain(`: 0 applied, ${shipped} in this build, schema current`);

    const server = await startServer({ DATABASE_URL: url });
    try {
      const minted = await operatorFetch(server, "/api/agent-tokens", { method: "POST", body: JSON.stringify({ agent: "pg-agent" }) });
      expect(minted.status).toBe(201);

      cluster.stop();
      const during = await operatorFetch(server, "/api/agent-tokens?agent=pg-agent");
      expect(during.status).toBe(503);
      expect(await during.json()).toEqual({ error: { code: "database_unavailable", message: "database unavailable; try again shortly" } });
      const health = await fetch(`${server.baseUrl}/dashboard-healthz`);
      expect(health.status).toBe(503);
      expect((await health.json()).db).toBe("unreachable");

      cluster.start();
      const after = await operatorFetch(server, "/api/agent-tokens?agent=pg-agent");
      expect(after.status).toBe(200);
      expect((await after.json()).tokens).toHaveLength(1);
      expect((await fetch(`${server.baseUrl}/dashboard-healthz`)).status).toBe(200);
      expect(server.child.exitCode).toBeNull();
    } finally {
      await server.stop();
    }
  });

  it("fails at start with a clear message when PostgreSQL is unreachable", async () => {
    const server = await startServer({ DATABASE_URL: "postgres://postgres@127.0.0.1:1/none" }, { waitForListening: false });
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain("PostgreSQL at 127.0.0.1:1/none is unreachable");
  });
});
