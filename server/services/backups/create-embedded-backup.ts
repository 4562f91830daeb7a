import "server-only";
import { backupFileName } from "../../backups/files";
import type { ServiceCall } from "../../context";
import { conflict } from "../../errors";

/**
 * The embedded database's backup, made by this process: the only one that may open its data directory (a second
 * opener would lose data silently). An external PostgreSQL is backed up with pg_dump instead.
 */
export async function createEmbeddedBackup({ ctx }: ServiceCall<void>) {
  if (!ctx.dumpEmbeddedDatabase) {
    throw conflict("the database is an external PostgreSQL: back it up with pg_dump (npm run backup does)");
  }
  const dump = await ctx.dumpEmbeddedDatabase();
  return { fileName: backupFileName("pglite", new Date()), bytes: dump.size, body: dump.stream() };
}
