import "server-only";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { type SQL, sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/node-postgres";
import pg from "pg";
import type { Logger } from "pino";
import { withTimeout } from "../timeout";
import { acquireDataDirLock, type DataDirLock } from "./lock";
import * as schema from "./schema";

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction handle; query functions accept either, so services can compose them in one transaction. */
export type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];
export type DbOrTx = Database | Tx;

export type LeaderLock = { lost: Promise<void>; release(): Promise<void> };

export interface DatabaseHandle {
  readonly kind: "pglite" | "postgres";
  /** Where the data lives, safe to log: a directory, or host:port/database without credentials. */
  readonly location: string;
  readonly db: Database;
  ping(timeoutMs: number): Promise<void>;
  /** Subscribes to NOTIFY on a channel; returns the unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void, onReconnect?: () => void): Promise<() => Promise<void>>;
  /**
   * Tries to become the one holder of a cluster-wide lock (a session advisory lock on its own connection).
   * Returns null when another process holds it; `lost` resolves if the connection carrying it dies.
   */
  tryLeaderLock(key: string): Promise<LeaderLock | null>;
  /**
   * The embedded database only: a gzipped tar of its data directory, taken between two queries (queries wait
   * meanwhile), so it is what a crash at that moment would leave and restores exactly. PostgreSQL has pg_dump.
   */
  dumpDataDir?(): Promise<Blob>;
  close(): Promise<void>;
}

export const MIGRATIONS_DIR = path.join(process.cwd(), "drizzle");

export function describePostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
  } catch {
    return "postgres";
  }
}

/**
 * Opens the embedded PGlite database in `dataDir`, holding the directory lock for as long as it is open,
 * and applies pending migrations.
 */
export async function openPglite(dataDir: string, purpose: string, logger: Logger): Promise<DatabaseHandle> {
  const lock: DataDirLock = acquireDataDirLock(dataDir, purpose);
  try {
    const pgdataDir = path.join(dataDir, "pglite");
    fs.mkdirSync(pgdataDir, { recursive: true });
    if (!fs.existsSync(path.join(pgdataDir, "PG_VERSION"))) initializeInChildProcess(pgdataDir, logger);
    const client = await PGlite.create({ dataDir: pgdataDir });
    const db = drizzlePglite(client, { schema }) as unknown as Database;
    await migratePglite(drizzlePglite(client), { migrationsFolder: MIGRATIONS_DIR });
    logger.info({ dataDir }, "embedded database ready");
    let closed = false;
    return {
      kind: "pglite",
      location: dataDir,
      db,
      async ping(timeoutMs) {
        await withTimeout(client.query("select 1"), timeoutMs, "database ping");
      },
      async listen(channel, onPayload) {
        const unsubscribe = await client.listen(channel, onPayload);
        return async () => {
          if (!closed) await unsubscribe();
        };
      },
      async dumpDataDir() {
        // A checkpoint first, so a restore has no write-ahead log to replay.
        await client.query("CHECKPOINT");
        return client.dumpDataDir("gzip");
      },
      async tryLeaderLock() {
        // One process per data directory (the lock file): that process is always the leader.
        let release: () => void = () => undefined;
        const lost = new Promise<void>((resolve) => (release = resolve));
        return { lost, release: async () => release() };
      },
      async close() {
        if (closed) return;
        closed = true;
        try {
          await client.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/**
 * First use of a data directory: initdb runs in a child process, so the memory it needs is returned to the
 * system when it exits instead of staying with the server. Falls back to in-process creation if that fails.
 */
function initializeInChildProcess(pgdataDir: string, logger: Logger) {
  const script = path.join(process.cwd(), "scripts", "pglite-init.mjs");
  if (!fs.existsSync(script)) return;
  const started = Date.now();
  const result = spawnSync(process.execPath, [script, pgdataDir], { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  if (result.status === 0) logger.info({ pgdataDir, tookMs: Date.now() - started }, "embedded database created");
  else logger.warn({ pgdataDir, status: result.status, stderr: result.stderr?.slice(0, 500) }, "creating the embedded database in a child process failed; creating it in-process");
}

/** Opens a pool on an external PostgreSQL. Its schema must already be migrated (npm run db:migrate). */
export async function openPostgres(url: string, logger: Logger): Promise<DatabaseHandle> {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
    application_name: "hive-dashboard",
  });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on("error", (error) => logger.warn({ err: error.message }, "idle database connection lost"));
  const db = drizzlePostgres(pool, { schema }) as unknown as Database;
  const listeners = new Set<{ channel: string; onPayload: (payload: string) => void; onReconnect?: () => void }>();
  let listenClient: pg.Client | undefined;
  let listenStarting: Promise<void> | undefined;
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let reconnecting = false;
  const leaderClients = new Set<pg.Client>();

  // One dedicated connection carries every LISTEN; when it drops it is re-established with backoff.
  async function connectListener(attempt = 0): Promise<void> {
    const client = new pg.Client({ connectionString: url, application_name: "hive-dashboard-listen" });
    client.on("notification", (message) => {
      for (const listener of listeners) {
        if (listener.channel === message.channel) listener.onPayload(message.payload ?? "");
      }
    });
    const reconnect = (reason: string) => {
      if (closed || listenClient !== client) return;
      listenClient = undefined;
      reconnecting = true;
      logger.warn({ reason }, "database notification connection lost; reconnecting");
      client.end().catch(() => undefined);
      scheduleReconnect(0);
    };
    client.on("error", (error) => reconnect(error.message));
    client.on("end", () => reconnect("connection ended"));
    try {
      await client.connect();
      const channels = new Set([...listeners].map((listener) => listener.channel));
      for (const channel of channels) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      listenClient = client;
      if (attempt > 0 || reconnecting) for (const listener of listeners) listener.onReconnect?.();
      reconnecting = false;
    } catch (error) {
      client.end().catch(() => undefined);
      if (closed) return;
      logger.warn({ err: (error as Error).message, attempt }, "database notification connection failed");
      scheduleReconnect(attempt + 1);
    }
  }

  function scheduleReconnect(attempt: number) {
    if (closed || retryTimer) return;
    const delay = Math.min(5_000, 250 * 2 ** attempt);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      listenStarting = connectListener(attempt);
    }, delay);
  }

  return {
    kind: "postgres",
    location: describePostgresUrl(url),
    db,
    async ping(timeoutMs) {
      await withTimeout(pool.query("select 1"), timeoutMs, "database ping");
    },
    async listen(channel, onPayload, onReconnect) {
      const listener = { channel, onPayload, onReconnect };
      const isNewChannel = ![...listeners].some((entry) => entry.channel === channel);
      listeners.add(listener);
      if (!listenClient && !listenStarting) listenStarting = connectListener();
      await listenStarting;
      if (listenClient && isNewChannel) await listenClient.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      return async () => {
        listeners.delete(listener);
      };
    },
    async tryLeaderLock(key) {
      const client = new pg.Client({ connectionString: url, application_name: "hive-dashboard-leader", keepAlive: true });
      client.on("error", () => undefined);
      try {
        await client.connect();
        const result = await client.query("select pg_try_advisory_lock(hashtext($1)) as ok", [key]);
        if (!result.rows[0]?.ok) {
          await client.end().catch(() => undefined);
          return null;
        }
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
      let markLost: () => void = () => undefined;
      const lost = new Promise<void>((resolve) => (markLost = resolve));
      // A dead connection means the lock is gone too; check it every few seconds.
      const check = setInterval(() => {
        client.query("select 1").catch(() => {
          clearInterval(check);
          markLost();
        });
      }, 5_000);
      client.on("end", () => {
        clearInterval(check);
        markLost();
      });
      client.on("error", () => {
        clearInterval(check);
        markLost();
      });
      leaderClients.add(client);
      return {
        lost,
        async release() {
          clearInterval(check);
          leaderClients.delete(client);
          await client.query("select pg_advisory_unlock(hashtext($1))", [key]).catch(() => undefined);
          await client.end().catch(() => undefined);
          markLost();
        },
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(retryTimer);
      for (const client of leaderClients) await client.end().catch(() => undefined);
      await listenClient?.end().catch(() => undefined);
      await pool.end();
    },
  };
}

/** Applies pending migrations to an external PostgreSQL, serialised across concurrent migrators. */
export async function migratePostgres(url: string): Promise<{ applied: number }> {
  const { migrate } = await import("drizzle-orm/node-postgres/migrator");
  const client = new pg.Client({ connectionString: url, application_name: "hive-dashboard-migrate" });
  await client.connect();
  try {
    await client.query("select pg_advisory_lock(hashtext('hive-dashboard.migrate'))");
    const before = await countAppliedMigrations(client);
    await migrate(drizzlePostgres(client), { migrationsFolder: MIGRATIONS_DIR });
    const after = await countAppliedMigrations(client);
    return { applied: after - before };
  } finally {
    await client.query("select pg_advisory_unlock(hashtext('hive-dashboard.migrate'))").catch(() => undefined);
    await client.end();
  }
}

async function countAppliedMigrations(client: pg.Client): Promise<number> {
  const exists = await client.query("select to_regclass('drizzle.__drizzle_migrations') as t");
  if (!exists.rows[0]?.t) return 0;
  const result = await client.query("select count(*)::int as n from drizzle.__drizzle_migrations");
  return Number(result.rows[0]?.n ?? 0);
}

/** The migrations this build ships, from drizzle-kit's journal. */
export function shippedMigrations(): { tag: string; when: number }[] {
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_DIR, "meta", "_journal.json"), "utf8")) as {
    entries: { tag: string; when: number }[];
  };
  return journal.entries;
}

/** Throws a clear error when an external database is missing migrations this build needs. */
export async function assertSchemaCurrent(handle: DatabaseHandle): Promise<void> {
  const shipped = shippedMigrations();
  const latest = shipped.at(-1);
  if (!latest) return;
  const exists = await queryRows<{ t: string | null }>(
    handle.db,
    sql`select to_regclass('drizzle.__drizzle_migrations')::text as t`,
  );
  let appliedUpTo = 0;
  if (exists[0]?.t) {
    const result = await queryRows<{ at: string | null }>(
      handle.db,
      sql`select max(created_at)::text as at from drizzle.__drizzle_migrations`,
    );
    appliedUpTo = Number(result[0]?.at ?? 0);
  }
  if (appliedUpTo < latest.when) {
    throw new Error(
      `The database at ${handle.location} is missing migrations (this build needs ${latest.tag}). ` +
        `Run \`npm run db:migrate\` with the same DATABASE_URL, then start the dashboard again.`,
    );
  }
}

/** Runs raw SQL and returns its rows; both drivers answer with `{ rows }`. */
export async function queryRows<T>(db: DbOrTx, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** True when an error (or its cause) says the database's disk is full (PostgreSQL's disk_full, or the file system's). */
export function isStorageFull(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const candidate = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (candidate.code === "53100" || candidate.code === "ENOSPC") return true;
    if (typeof candidate.message === "string" && /No space left on device|could not extend file/i.test(candidate.message)) return true;
    current = candidate.cause;
  }
  return false;
}

/** True when an error (or its cause) means the database could not be reached rather than a bad query. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const candidate = current as { code?: unknown; message?: unknown; cause?: unknown };
    const code = typeof candidate.code === "string" ? candidate.code : "";
    const message = typeof candidate.message === "string" ? candidate.message : "";
    if (["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH"].includes(code)) return true;
    if (code.startsWith("08") || ["57P01", "57P02", "57P03", "53300"].includes(code)) return true;
    if (/Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|database ping timed out|PGlite is closed/i.test(message))
      return true;
    current = candidate.cause;
  }
  return false;
}
