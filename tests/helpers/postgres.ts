import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort } from "./ports";

const BIN = process.env.HIVE_PG_BIN || "/usr/lib/postgresql/15/bin";

/** A throwaway PostgreSQL 15 cluster: initdb into a temp dir as the postgres user, a random port on loopback. */
export type PostgresCluster = {
  port: number;
  dir: string;
  url(database?: string): string;
  stop(): void;
  start(): void;
  destroy(): void;
};

function asPostgres(command: string, args: string[]) {
  const result = spawnSync("runuser", ["-u", "postgres", "--", path.join(BIN, command), ...args], { encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`${command} failed (${result.status}): ${result.stderr || result.stdout}`);
  }
  return result.stdout;
}

export async function startPostgres(): Promise<PostgresCluster> {
  if (!fs.existsSync(path.join(BIN, "initdb"))) {
    throw new Error(`PostgreSQL 15 binaries not found in ${BIN} (apt-get install -y postgresql-15)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hive-pg-"));
  fs.chmodSync(dir, 0o755);
  execFileSync("chown", ["postgres:postgres", dir]);
  const dataDir = path.join(dir, "data");
  asPostgres("initdb", ["-D", dataDir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
  const port = await freePort();
  const options = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off -c max_connections=200`;
  const cluster: PostgresCluster = {
    port,
    dir,
    url: (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`,
    start() {
      asPostgres("pg_ctl", ["-D", dataDir, "-o", options, "-l", path.join(dir, "log"), "-w", "-t", "30", "start"]);
    },
    stop() {
      asPostgres("pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "stop"]);
    },
    destroy() {
      try {
        cluster.stop();
      } catch {
        // already stopped
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  cluster.start();
  return cluster;
}

/** Creates a fresh, uniquely named database in the cluster and returns its URL. */
export async function createDatabase(adminUrl: string, prefix = "hive_test"): Promise<string> {
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A fresh database in the cluster with the dashboard's migrations applied (`npm run db:migrate`); returns its URL. */
export async function createMigratedDatabase(adminUrl: string): Promise<string> {
  const url = await createDatabase(adminUrl);
  const root = path.resolve(__dirname, "../..");
  const migrated = spawnSync("npm", ["run", "--silent", "db:migrate"], { cwd: root, env: { ...process.env, DATABASE_URL: url }, encoding: "utf8" });
  if (migrated.status !== 0) throw new Error(`db:migrate failed (exit ${migrated.status}): ${migrated.stderr}`);
  return url;
}
