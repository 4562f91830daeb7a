// npm run operator:token: issues a new operator token (the old one stops working and every session ends)
// and prints its one-time login URL. Run it while the dashboard is stopped when it uses the embedded database.
import pino from "pino";
import { ConfigError, getConfig } from "../server/config";
import { type DatabaseHandle, openPglite, openPostgres } from "../server/db/client";
import { DataDirLockedError } from "../server/db/lock";
import { loginUrlFor, rotateOperatorToken } from "../server/credentials/operator-credentials";

async function main() {
  const config = getConfig();
  if (config.auth.operatorToken) {
    throw new ConfigError(["HIVE_OPERATOR_TOKEN: is set, so the operator token comes from it; change it there instead"]);
  }
  const logger = pino({ level: "warn" });
  const handle: DatabaseHandle = config.databaseUrl
    ? await openPostgres(config.databaseUrl, logger)
    : await openPglite(config.dataDir, "npm run operator:token", logger);
  try {
    const token = await rotateOperatorToken(handle.db);
    console.log(`\n  New operator token issued; earlier sessions are logged out. Log in with:\n\n      ${loginUrlFor(config.publicUrl, token)}\n`);
    console.log("  Running dashboards pick the new token up when they restart.\n");
  } finally {
    await handle.close();
  }
}

main().catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof DataDirLockedError;
  console.error(`operator:token failed: ${known ? (error as Error).message : (error as Error)?.stack ?? error}`);
  process.exit(1);
});
