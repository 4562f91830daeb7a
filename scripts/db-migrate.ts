// npm run db:migrate: applies pending migrations to DATABASE_URL's PostgreSQL (or the embedded database in
// HIVE_DATA_DIR). Idempotent, and safe to run from several machines at once (an advisory lock serialises them).
import pino from "pino";
import { ConfigError, getConfig } from "../server/config";
import { describePostgresUrl, migratePostgres, openPglite, shippedMigrations } from "../server/db/client";
import { DataDirLockedError } from "../server/db/lock";

async function main() {
  const config = getConfig();
  const total = shippedMigrations().length;
  if (config.databaseUrl) {
    const { applied } = await migratePostgres(config.databaseUrl);
    console.log(`db:migrate: PostgreSQL at ${describePostgresUrl(config.databaseUrl)}: ${applied} applied, ${total} in this build, schema current.`);
    return;
  }
  const handle = await openPglite(config.dataDir, "npm run db:migrate", pino({ level: "warn" }));
  await handle.close();
  console.log(`db:migrate: embedded database in ${config.dataDir}: ${total} migrations in this build, schema current.`);
}

main().catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof DataDirLockedError;
  console.error(`db:migrate failed: ${known ? (error as Error).message : (error as Error)?.stack ?? error}`);
  process.exit(1);
});
