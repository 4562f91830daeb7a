// npm run restore <file> [--force]: puts a backup made by `npm run backup` back. Stop every dashboard first (they
// would write over the restore): the embedded database's lock refuses while its dashboard runs, and on PostgreSQL
// a dashboard that heartbeated in the last 30 s is refused unless --force. Migrations then bring an older backup
// up to this build. The embedded database's previous data directory is kept beside it, renamed.
import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pino from "pino";
import { backupKindOf } from "../server/backups/files";
import { runPgTool } from "../server/backups/pg-tools";
import { ConfigError, getConfig } from "../server/config";
import { describePostgresUrl, migratePostgres, openPglite, openPostgres } from "../server/db/client";
import { acquireDataDirLock, DataDirLockedError } from "../server/db/lock";
import { listLiveInstances } from "../server/db/queries/transients";
import { INSTANCE_STALE_MS } from "../server/workers/instance-registry";

class RestoreError extends Error {}
const logger = pino({ level: "warn" });

async function assertNoLiveDashboards(databaseUrl: string) {
  const handle = await openPostgres(databaseUrl, logger);
  try {
    const live = await listLiveInstances(handle.db, new Date(Date.now() - INSTANCE_STALE_MS)).catch((error: { code?: string; cause?: { code?: string } }) => {
      if ((error.cause?.code ?? error.code) === "42P01") return []; // an empty database: no dashboard has ever run on it
      throw error;
    });
    if (live.length > 0) {
      const who = live.map((instance) => `${instance.hostname} (pid ${instance.pid})`).join(", ");
      throw new RestoreError(`dashboards are running on this database: ${who}. Stop them first (they would write over the restore), or pass --force.`);
    }
  } finally {
    await handle.close();
  }
}

async function restorePostgres(file: string, databaseUrl: string, force: boolean) {
  if (!force) await assertNoLiveDashboards(databaseUrl);
  // --clean drops what the archive holds before recreating it; one transaction: all of it or none.
  await runPgTool("pg_restore", ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", file], databaseUrl);
  const { applied } = await migratePostgres(databaseUrl);
  console.log(`restore: ${file} → PostgreSQL at ${describePostgresUrl(databaseUrl)} (${applied} migrations applied after it)`);
}

async function restorePglite(file: string, dataDir: string) {
  const lock = acquireDataDirLock(dataDir, "npm run restore");
  const pgdata = path.join(dataDir, "pglite");
  let previous: string | null = null;
  try {
    if (fs.existsSync(pgdata)) {
      previous = `${pgdata}.before-restore-${new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}`;
      fs.renameSync(pgdata, previous);
    }
    const db = await PGlite.create({ dataDir: pgdata, loadDataDir: new Blob([fs.readFileSync(file)]) });
    await db.close();
  } catch (error) {
    // A failed load leaves the directory as it was.
    fs.rmSync(pgdata, { recursive: true, force: true });
    if (previous) fs.renameSync(previous, pgdata);
    throw error;
  } finally {
    lock.release();
  }
  const handle = await openPglite(dataDir, "npm run restore", logger);
  await handle.close();
  console.log(`restore: ${file} → embedded database in ${dataDir}${previous ? `; the previous data is kept in ${previous}` : ""}`);
}

async function main() {
  const args = process.argv.slice(2);
  const force = args.includes("--force");
  const file = args.find((arg) => !arg.startsWith("--"));
  if (!file) throw new RestoreError("usage: npm run restore <backup file> [--force]");
  if (!fs.existsSync(file)) throw new RestoreError(`${file} does not exist`);
  const config = getConfig();
  const kind = backupKindOf(file);
  if (kind === null) throw new RestoreError(`${file} is not a backup made by npm run backup`);
  if (config.databaseUrl) {
    if (kind !== "postgres") throw new RestoreError(`${file} is an embedded-database backup; unset DATABASE_URL to restore it there`);
    await restorePostgres(path.resolve(file), config.databaseUrl, force);
  } else {
    if (kind !== "pglite") throw new RestoreError(`${file} is a PostgreSQL backup; set DATABASE_URL to restore it there`);
    await restorePglite(path.resolve(file), config.dataDir);
  }
}

main().catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof RestoreError || error instanceof DataDirLockedError;
  console.error(`restore failed: ${known ? (error as Error).message : ((error as Error)?.stack ?? error)}`);
  process.exit(1);
});
