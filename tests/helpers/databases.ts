import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { inject } from "vitest";
import { type DatabaseHandle, migratePostgres, openPglite, openPostgres } from "@/server/db/client";
import { createDatabase } from "./postgres";

export const DATABASE_KINDS = ["pglite", "postgres"] as const;
export type DatabaseKind = (typeof DATABASE_KINDS)[number];

const silent = pino({ level: "silent" });

/** A fresh, migrated database of the given kind: PGlite in a temp dir, or a new database on the test cluster. */
export async function openFreshDatabase(kind: DatabaseKind): Promise<DatabaseHandle & { url?: string; dir?: string }> {
  if (kind === "pglite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hive-pglite-"));
    const handle = await openPglite(dir, "test", silent);
    return Object.assign(handle, { dir });
  }
  const url = await createDatabase(inject("postgresAdminUrl"));
  await migratePostgres(url);
  const handle = await openPostgres(url, silent);
  return Object.assign(handle, { url });
}
