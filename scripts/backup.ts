// npm run backup [dir]: one timestamped backup in HIVE_BACKUP_DIR (or dir), then deletes those older than
// HIVE_BACKUP_RETENTION_DAYS. External PostgreSQL: a pg_dump custom-format archive. Embedded database: the running
// dashboard makes the dump (POST /api/backup with HIVE_OPERATOR_TOKEN), since no other process may open its data.
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { backupFileName, pruneBackups } from "../server/backups/files";
import { runPgTool } from "../server/backups/pg-tools";
import { ConfigError, getConfig, type HiveConfig } from "../server/config";
import { describePostgresUrl } from "../server/db/client";

class BackupError extends Error {}

async function downloadFromServer(config: HiveConfig, file: string) {
  const token = config.auth.operatorToken;
  if (!token) {
    throw new BackupError(
      "the embedded database is backed up by the running dashboard: set HIVE_OPERATOR_TOKEN to the operator token so this command may ask it",
    );
  }
  const url = `${config.backup.serverUrl}/api/backup`;
  let response: Response;
  try {
    response = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${token}` } });
  } catch (error) {
    throw new BackupError(
      `the dashboard at ${config.backup.serverUrl} is not answering (${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}). ` +
        "Only the running dashboard may read the embedded database: start it, or point HIVE_SERVER_URL at it.",
    );
  }
  if (!response.ok || !response.body) {
    const detail = await response.text().catch(() => "");
    throw new BackupError(`the dashboard answered ${response.status} to POST ${url}: ${detail.slice(0, 300)}`);
  }
  await pipeline(Readable.fromWeb(response.body as import("node:stream/web").ReadableStream), fs.createWriteStream(file));
}

async function main() {
  const config = getConfig();
  const dir = path.resolve(process.argv[2] ?? config.backup.dir);
  fs.mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const name = backupFileName(config.databaseUrl ? "postgres" : "pglite", new Date(started));
  const final = path.join(dir, name);
  const partial = `${final}.partial`;
  try {
    if (config.databaseUrl) await runPgTool("pg_dump", ["--format=custom", `--file=${partial}`], config.databaseUrl);
    else await downloadFromServer(config, partial);
    fs.renameSync(partial, final);
  } finally {
    fs.rmSync(partial, { force: true });
  }
  const source = config.databaseUrl ? `PostgreSQL at ${describePostgresUrl(config.databaseUrl)}` : `the dashboard at ${config.backup.serverUrl}`;
  const size = (fs.statSync(final).size / 1024 / 1024).toFixed(1);
  console.log(`backup: ${final} (${size} MB, from ${source}, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  const { kept, deleted } = pruneBackups(dir, config.backup.retentionDays, new Date());
  const policy = config.backup.retentionDays > 0 ? `older than ${config.backup.retentionDays} days` : "none (retention 0: keep all)";
  console.log(`backup: ${kept.length} kept in ${dir}; deleted ${deleted.length} ${policy}${deleted.length ? `: ${deleted.join(", ")}` : ""}`);
}

main().catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof BackupError;
  console.error(`backup failed: ${known ? (error as Error).message : ((error as Error)?.stack ?? error)}`);
  process.exit(1);
});
