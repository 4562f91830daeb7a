// npm run db:migrate: applies pending migrations to DATABASE_URL's PostgreSQL (or the embedded database in
// HIVE_DATA_DIR). Idempotent, and safe to run from several machines at once (an advisory lock serialises them).
// `-- --wait-for-schema [seconds]` applies nothing: it waits (default 600 s) until PostgreSQL's schema is current,
// which a Kubernetes init container uses so new pods serve only after the migration Job has run.
import pino from "pino";
import { ConfigError, getConfig } from "../server/config";
import { assertSchemaCurrent, describePostgresUrl, migratePostgres, openPglite, openPostgres, shippedMigrations } from "../server/db/client";
import { DataDirLockedError } from "../server/db/lock";

class WaitError extends Error {}

async function waitForSchema(databaseUrl: string, seconds: number) {
  const logger = pino({ level: "silent" });
  const deadline = Date.now() + seconds * 1000;
  let reason = "";
  for (let attempt = 1; Date.now() < deadline; attempt++) {
    const handle = await openPostgres(databaseUrl, logger);
    try {
      await assertSchemaCurrent(handle);
      console.log(`db:migrate: PostgreSQL at ${describePostgresUrl(databaseUrl)} has this build's schema.`);
      return;
    } catch (error) {
      if ((error as Error).message !== reason) console.log(`db:migrate: waiting for the schema: ${(reason = (error as Error).message)}`);
    } finally {
      await handle.close();
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 500 * attempt)));
  }
  throw new WaitError(`the schema was not current after ${seconds} s: ${reason}`);
}

async function main() {
  const config = getConfig();
  const total = shippedMigrations().length;
  const waitAt = process.argv.indexOf("--wait-for-schema");
  if (waitAt !== -1) {
    if (!config.databaseUrl) throw new WaitError("--wait-for-schema is for an external PostgreSQL (DATABASE_URL)");
    const seconds = Number(process.argv[waitAt + 1] ?? 600);
    await waitForSchema(config.databaseUrl, Number.isFinite(seconds) && seconds > 0 ? seconds : 600);
    return;
  }
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
  const known = error instanceof ConfigError || error instanceof DataDirLockedError || error instanceof WaitError;
  console.error(`db:migrate failed: ${known ? (error as Error).message : (error as Error)?.stack ?? error}`);
  process.exit(1);
});
