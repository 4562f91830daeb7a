import { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "@/server/log";
import { DATABASE_KINDS, openFreshDatabase } from "../helpers/databases";

const handles: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const handle of handles) await handle.close();
});

describe("log lines never carry a query's parameters", () => {
  it.each(DATABASE_KINDS)("cuts the parameters from a failed query's error, message and stack (%s)", async (kind) => {
    const database = await openFreshDatabase(kind);
    handles.push(database);
    const secret = "sk-live-param-9a1f";
    let failure: unknown;
    try {
      // A real failure with a secret among the parameters: text that jsonb cannot hold.
      await database.db.execute(sql`select ${`${secret}\u0000`}::jsonb, ${secret} as again`);
    } catch (error) {
      failure = error;
    }
    expect(String((failure as Error).message)).toContain(secret); // what the database layer would have logged

    let written = "";
    const logger = createLogger(new Writable({ write: (chunk, _encoding, done) => ((written += chunk), done()) }));
    const error = failure as Error;
    logger.error({ err: { message: error.message, stack: error.stack }, plain: error.message, error }, "unhandled error");
    expect(written).toContain("Failed query: select $1::jsonb");
    expect(written).toContain("params: [redacted]");
    expect(written).not.toContain(secret);
  });
});
