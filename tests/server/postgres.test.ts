import { spawn, spawnSync } from "node:child_process";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shippedMigrations } from "@/server/db/client";
import { eventually } from "../helpers/docker";
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

  it("serialises concurrent db:migrate runs: they wait for the migration lock, then one applies everything and the other nothing", async () => {
    const url = await createDatabase(cluster.url());
    const shipped = shippedMigrations().length;
    // The test takes the migrators' advisory lock first, so both runs are seen waiting at it before either can begin.
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query("select pg_advisory_lock(hashtext('hive-dashboard.migrate'))");
      const runs = [0, 1].map(() => {
        const child = spawn("npm", ["run", "--silent", "db:migrate"], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url } });
        let output = "";
        child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
        return { child, done: new Promise<{ status: number | null; output: string }>((resolve) => child.on("exit", (status) => resolve({ status, output }))) };
      });
      const waiting = async () =>
        (await holder.query("select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())")).rows[0].n;
      await eventually(async () => (await waiting()) === 2, "both migrators waiting at the lock", 30_000);
      expect(runs.map((run) => run.child.exitCode)).toEqual([null, null]);
      expect((await holder.query("select to_regclass('drizzle.__drizzle_migrations') as t")).rows[0].t).toBeNull();
      await holder.query("select pg_advisory_unlock(hashtext('hive-dashboard.migrate'))");

      const results = await Promise.all(runs.map((run) => run.done));
      for (const result of results) expect(result.status, result.output).toBe(0);
      const applied = results.map((result) => Number(/: (\d+) applied,/.exec(result.output)?.[1])).sort((a, b) => a - b);
      expect(applied).toEqual([0, shipped]);
      const rows = await holder.query("select hash, count(*)::int as n from drizzle.__drizzle_migrations group by hash");
      expect(rows.rows).toHaveLength(shipped);
      expect(rows.rows.every((row) => row.n === 1)).toBe(true);
    } finally {
      await holder.end();
    }
  });

  it("fails at start with a clear message when PostgreSQL is unreachable", async () => {
    const server = await startServer({ DATABASE_URL: "postgres://postgres@127.0.0.1:1/none" }, { waitForListening: false });
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain("PostgreSQL at 127.0.0.1:1/none is unreachable");
  });
});
