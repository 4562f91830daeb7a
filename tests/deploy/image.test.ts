import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type DashboardContainer, createDashboardContainer, DASHBOARD_IMAGE, ensureDashboardImage, runInImage } from "../helpers/dashboard-image";
import { agentPrefix, bootCount, cleanupAgents, docker, eventually } from "../helpers/docker";
import { createDatabase } from "../helpers/postgres";
import { operatorFetch, type ServerProcess, spawnAgent, tempDir, TEST_OPERATOR_TOKEN } from "../helpers/server";
import { ensureTestImage } from "../helpers/test-image";

// The image as an operator runs it: `docker run` with the engine's socket, a read-only root, the embedded
// database on a volume (or DATABASE_URL), through the Engine API. Figures (size, start to healthy, memory) are printed.
const prefix = agentPrefix();
const SHUTDOWN_TIMEOUT_MS = 10_000;
const made: DashboardContainer[] = [];
const volumes: string[] = [];

beforeAll(async () => {
  await ensureTestImage();
  await ensureDashboardImage();
}, 1_800_000);
afterAll(async () => {
  for (const container of made) await container.remove();
  await cleanupAgents(prefix);
  for (const volume of volumes) await docker.getVolume(volume).remove().catch(() => undefined);
});

/** The helpers take a server; a container's address is all they use of one. */
const asServer = (container: DashboardContainer) => ({ baseUrl: container.baseUrl, port: container.port }) as ServerProcess;

async function start(container: DashboardContainer, label: string) {
  made.push(container);
  await container.start();
  const healthyMs = await container.waitHealthy();
  await container.waitEngineHealthy();
  console.log(`[image] ${label}: docker run → /dashboard-healthz 200 in ${(healthyMs / 1000).toFixed(1)} s; RSS ${(await container.rssMb()).toFixed(0)} MB`);
}

/** Spawns an agent through the dashboard in the container and restarts it: its boot counter reaches 2. */
async function spawnAndRestart(container: DashboardContainer, name: string) {
  const server = asServer(container);
  await spawnAgent(server, name);
  await eventually(async () => (await bootCount(name)) === 1, `${name} booted`, 30_000);
  const restart = await operatorFetch(server, `/api/agents/${name}/restart`, { method: "POST", body: "{}" });
  expect(restart.status, await restart.clone().text()).toBe(200);
  await eventually(async () => (await bootCount(name)) === 2, `${name} restarted`, 30_000);
}

async function sigterm(container: DashboardContainer) {
  const { exitCode, ms } = await container.stopWithSigterm();
  console.log(`[image] SIGTERM → exit ${exitCode} in ${ms.toFixed(0)} ms`);
  expect(exitCode).toBe(0);
  expect(ms).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 2_000);
}

describe("the container image", () => {
  it("runs as a non-root user with a HEALTHCHECK on /dashboard-healthz, from a slim tree", async () => {
    const image = await docker.getImage(DASHBOARD_IMAGE).inspect();
    console.log(`[image] ${DASHBOARD_IMAGE}: ${(image.Size / 1e6).toFixed(0)} MB`);
    expect(image.Config.User).toBe("10001:10001");
    expect(image.Config.Healthcheck?.Test).toEqual(["CMD", "node", "host/healthcheck.mjs"]);
    expect(image.Config.Cmd).toEqual(["node", "server.mjs"]);
    expect(image.Config.Env).toEqual(expect.arrayContaining(["HIVE_DATA_DIR=/data", "HIVE_BACKUP_DIR=/backups", "NODE_ENV=production"]));
    expect(Object.keys(image.Config.Volumes ?? {}).sort()).toEqual(["/backups", "/data"]);
    // Nothing of the build: no TypeScript, no compiler, no test tools, no sources.
    const listing = await runInImage(["sh", "-c", "ls node_modules; ls; test ! -e node_modules/typescript && test ! -e node_modules/@next/swc-linux-x64-gnu && test ! -e app && test ! -e tests && echo SLIM"], {});
    expect(listing.exitCode, listing.output).toBe(0);
    expect(listing.output).toContain("SLIM");
  });

  it("with the embedded database on a volume: healthy, spawns and restarts an agent, backs up, stops on SIGTERM with exit 0, and keeps everything", async () => {
    const volume = `hive-image-test-data-${prefix}`;
    await docker.createVolume({ Name: volume, Labels: { "hive.test": "dashboard-image" } });
    volumes.push(volume);
    // A fixed hostname: the data directory's lock names its holder by host, and a new container takes it over.
    const first = await createDashboardContainer({ binds: [`${volume}:/data`], hostname: "hive-dashboard", env: { HIVE_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) } });
    await start(first, "embedded database, first start");
    const name = `${prefix}-img`;
    await spawnAndRestart(first, name);

    // `npm run backup` in the image, as the Kubernetes CronJob runs it: the running dashboard makes the dump.
    const backups = tempDir("hive-image-backups-");
    fs.chownSync(backups, 10001, 10001);
    const backup = await runInImage(["npm", "run", "backup"], { HIVE_OPERATOR_TOKEN: TEST_OPERATOR_TOKEN, HIVE_SERVER_URL: first.baseUrl }, [`${backups}:/backups`]);
    expect(backup.exitCode, backup.output).toBe(0);
    expect(fs.readdirSync(backups)).toEqual([expect.stringMatching(/^hive-\d{8}T\d{6}Z\.pglite\.tar\.gz$/)]);

    await sigterm(first);
    expect(await first.logs()).toContain("dashboard stopped");

    // A new container on the same volume (an upgrade, a host reboot): everything is still there.
    const second = await createDashboardContainer({ binds: [`${volume}:/data`], hostname: "hive-dashboard" });
    await start(second, "embedded database, restart on the same volume");
    const state = await (await operatorFetch(asServer(second), "/api/state")).json();
    expect(state.containers.find((container: { name: string }) => container.name === name)).toMatchObject({ desiredState: "running", state: "running" });
    const audit = (await (await operatorFetch(asServer(second), "/api/audit")).json()).entries.map((entry: { action: string; target: string }) => `${entry.action} ${entry.target}`);
    expect(audit).toEqual(expect.arrayContaining([`agent.spawn ${name}`, `agent.restart ${name}`, "backup.create null"]));
    await sigterm(second);
  }, 600_000);

  it("with DATABASE_URL: a one-shot migration in the image, then the dashboard on PostgreSQL; pg_dump backups from the image", async () => {
    const url = await createDatabase(inject("postgresAdminUrl"));
    const migrate = await runInImage(["npm", "run", "db:migrate"], { DATABASE_URL: url });
    expect(migrate.exitCode, migrate.output).toBe(0);
    expect(migrate.output).toMatch(/applied, \d+ in this build, schema current/);
    const waited = await runInImage(["npm", "run", "db:migrate", "--", "--wait-for-schema", "30"], { DATABASE_URL: url });
    expect(waited.exitCode, waited.output).toBe(0);

    const dashboard = await createDashboardContainer({ env: { DATABASE_URL: url, HIVE_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) } });
    await start(dashboard, "PostgreSQL");
    const name = `${prefix}-imgpg`;
    await spawnAndRestart(dashboard, name);

    const backups = tempDir("hive-image-backups-");
    fs.chownSync(backups, 10001, 10001);
    const backup = await runInImage(["npm", "run", "backup"], { DATABASE_URL: url }, [`${backups}:/backups`]);
    expect(backup.exitCode, backup.output).toBe(0);
    const [file] = fs.readdirSync(backups);
    expect(file).toMatch(/^hive-\d{8}T\d{6}Z\.pgdump$/);
    expect(fs.readFileSync(path.join(backups, file!)).subarray(0, 5).toString()).toBe("PGDMP");

    await sigterm(dashboard);
    // Nothing lost: the desired state and the audit rows are in PostgreSQL.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const desired = await client.query("select desired_state from agents where name = $1", [name]);
      expect(desired.rows).toEqual([{ desired_state: "running" }]);
      const audit = await client.query("select action from audit_log where target = $1 order by id", [name]);
      expect(audit.rows.map((row) => row.action)).toEqual(["agent.spawn", "agent.restart"]);
      const instances = await client.query("select count(*)::int as n from instances");
      expect(instances.rows[0].n).toBe(0); // it deregistered on the way out
    } finally {
      await client.end();
    }
  }, 600_000);
});
