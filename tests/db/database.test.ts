import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getTableColumns, getTableName, is } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { type DatabaseHandle, migratePostgres, openPglite, queryRows, shippedMigrations } from "@/server/db/client";
import { acquireDataDirLock, DataDirLockedError } from "@/server/db/lock";
import { findActiveTokenByHash, insertAgentToken, revokeAgentToken } from "@/server/db/queries/agent-tokens";
import { insertAuditEntry, listRecentAudit } from "@/server/db/queries/audit";
import { findLiveSession, insertSession, revokeSession } from "@/server/db/queries/sessions";
import { getSetting, insertSettingOnce, putSetting } from "@/server/db/queries/settings";
import { pruneDelivered } from "@/server/db/queries/agent-events";
import * as schema from "@/server/db/schema";
import { agentEvents, settings } from "@/server/db/schema";
import { DATABASE_KINDS, openFreshDatabase } from "../helpers/databases";

/** drizzle's record of applied migrations: one row per migration, stamped with its journal time. */
const appliedMigrations = (handle: DatabaseHandle) =>
  queryRows<{ id: number; hash: string; created_at: string }>(handle.db, sql`select id, hash, created_at::text from drizzle.__drizzle_migrations order by id`);

describe.each(DATABASE_KINDS)("database on %s", (kind) => {
  let handle: DatabaseHandle & { url?: string };

  beforeAll(async () => {
    handle = await openFreshDatabase(kind);
  });
  afterAll(async () => {
    await handle?.close();
  });

  it("has every table the schema declares after migration, with every declared column", async () => {
    const declared = (Object.values(schema) as unknown[]).filter((value): value is PgTable => is(value, PgTable));
    expect(declared.length).toBeGreaterThan(0);
    const rows = await queryRows<{ table_name: string; column_name: string }>(
      handle.db,
      sql`select table_name, column_name from information_schema.columns where table_schema = 'public'`,
    );
    const present = new Map<string, Set<string>>();
    for (const row of rows) present.set(row.table_name, (present.get(row.table_name) ?? new Set()).add(row.column_name));
    for (const table of declared) {
      const name = getTableName(table);
      expect(present.has(name), `table ${name}`).toBe(true);
      for (const column of Object.values(getTableColumns(table))) expect(present.get(name)!.has(column.name), `${name}.${column.name}`).toBe(true);
    }
    expect([...present.keys()].sort()).toEqual(declared.map(getTableName).sort());
  });

  it("inserts a setting once even when many writers race, and all see the winner", async () => {
    const values = Array.from({ length: 20 }, (_, index) => ({ secret: `value-${index}` }));
    const outcomes = await Promise.all(values.map((value) => insertSettingOnce(handle.db, "race", value)));
    expect(outcomes.filter((outcome) => outcome.inserted)).toHaveLength(1);
    const winner = outcomes.find((outcome) => outcome.inserted)!.value;
    expect(outcomes.every((outcome) => outcome.value.secret === winner.secret)).toBe(true);
    expect(await getSetting(handle.db, "race")).toEqual(winner);
    await putSetting(handle.db, "race", { secret: "replaced" });
    expect(await getSetting(handle.db, "race")).toEqual({ secret: "replaced" });
  });

  it("keeps sessions live until they expire or are revoked", async () => {
    const now = new Date();
    await insertSession(handle.db, { id: "ses_live", subject: "operator", expiresAt: new Date(now.getTime() + 60_000), userAgent: null });
    await insertSession(handle.db, { id: "ses_old", subject: "operator", expiresAt: new Date(now.getTime() - 1), userAgent: null });
    expect((await findLiveSession(handle.db, "ses_live", now))?.subject).toBe("operator");
    expect(await findLiveSession(handle.db, "ses_old", now)).toBeUndefined();
    await revokeSession(handle.db, "ses_live", now);
    expect(await findLiveSession(handle.db, "ses_live", now)).toBeUndefined();
  });

  it("finds agent tokens by hash until they are revoked, and refuses a duplicate hash", async () => {
    await insertAgentToken(handle.db, { id: "tok_a", agent: "alpha", role: "agent", tokenHash: "hash-a", createdBy: "operator" });
    expect((await findActiveTokenByHash(handle.db, "hash-a"))?.agent).toBe("alpha");
    await expect(
      insertAgentToken(handle.db, { id: "tok_b", agent: "beta", role: "agent", tokenHash: "hash-a", createdBy: "operator" }),
    ).rejects.toThrow();
    expect(await revokeAgentToken(handle.db, "tok_a", new Date())).toBeDefined();
    expect(await revokeAgentToken(handle.db, "tok_a", new Date())).toBeUndefined();
    expect(await findActiveTokenByHash(handle.db, "hash-a")).toBeUndefined();
  });

  it("keeps audit rows in order with their trace ids", async () => {
    for (const action of ["first", "second"]) {
      await insertAuditEntry(handle.db, {
        actorKind: "operator",
        actor: "operator",
        action,
        target: "alpha",
        result: "ok",
        status: 200,
        traceId: `trace-${action}`,
      });
    }
    const [newest, older] = await listRecentAudit(handle.db, 2);
    expect(newest).toMatchObject({ action: "second", traceId: "trace-second", result: "ok" });
    expect(older).toMatchObject({ action: "first" });
  });

  it("rolls a failed transaction back completely", async () => {
    await expect(
      handle.db.transaction(async (tx) => {
        await tx.insert(settings).values({ key: "partial", value: { n: 1 } });
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await handle.db.select().from(settings).where(eq(settings.key, "partial"))).toEqual([]);
  });

  it("delivers NOTIFY payloads to listeners", async () => {
      const received: string[] = [];
      const unsubscribe = await handle.listen("hive_test_channel", (payload) => received.push(payload));
      await handle.db.execute(sql`select pg_notify('hive_test_channel', 'hello')`);
      const deadline = Date.now() + 5_000;
      while (received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(received).toEqual(["hello"]);
      await unsubscribe();
  });

  it("prunes delivered inbox events by age, then beyond the newest N per agent, and never undelivered ones", async () => {
    const old = new Date(Date.now() - 8 * 86_400_000);
    const delivered = new Date();
    const rows = [
      ...Array.from({ length: 3 }, () => ({ agent: "keeper", kind: "system" as const, payload: {}, createdAt: old, deliveredAt: delivered })),
      ...Array.from({ length: 2 }, () => ({ agent: "keeper", kind: "system" as const, payload: {}, createdAt: old, deliveredAt: null })),
      ...Array.from({ length: 6 }, () => ({ agent: "busy", kind: "system" as const, payload: {}, deliveredAt: delivered })),
      ...Array.from({ length: 2 }, () => ({ agent: "busy", kind: "system" as const, payload: {}, deliveredAt: null })),
    ];
    await handle.db.insert(agentEvents).values(rows);
    const result = await pruneDelivered(handle.db, new Date(Date.now() - 7 * 86_400_000), 4);
    expect(result).toEqual({ aged: 3, trimmed: 4 });
    const left = await handle.db.select().from(agentEvents);
    const count = (agent: string, isDelivered: boolean) =>
      left.filter((row) => row.agent === agent && (row.deliveredAt !== null) === isDelivered).length;
    expect([count("keeper", true), count("keeper", false), count("busy", true), count("busy", false)]).toEqual([0, 2, 2, 2]);
  });

  if (kind === "postgres") {
    it("migrates idempotently: a second run applies nothing", async () => {
      const before = await appliedMigrations(handle);
      expect(await migratePostgres(handle.url!)).toEqual({ applied: 0 });
      expect(await appliedMigrations(handle)).toEqual(before);
    });
  }
});

describe("embedded database directory", () => {
  it("reopens with its data and re-runs migrations as a no-op", async () => {
    const first = await openFreshDatabase("pglite");
    await putSetting(first.db, "kept", { value: 42 });
    const appliedBefore = await appliedMigrations(first);
    expect(appliedBefore.map((row) => Number(row.created_at))).toEqual(shippedMigrations().map((migration) => migration.when));
    await first.close();
    const again = await openPglite(first.dir!, "test", pino({ level: "silent" }));
    // The reopen ran the migrator again: it applied nothing (the same rows, ids and stamps) and the data is as it was.
    expect(await appliedMigrations(again)).toEqual(appliedBefore);
    expect(await getSetting(again.db, "kept")).toEqual({ value: 42 });
    await again.close();
  });

  it("refuses a second opener in the same process while the first holds it, naming the holder", async () => {
    const first = await openFreshDatabase("pglite");
    await expect(openPglite(first.dir!, "second", pino({ level: "silent" }))).rejects.toThrow(
      new RegExp(`in use by process ${process.pid} .*\\(test, since`),
    );
    await first.close();
    const reopened = await openPglite(first.dir!, "third", pino({ level: "silent" }));
    await reopened.close();
  });

  it("takes over a lock left by a process that died", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hive-lock-"));
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    fs.writeFileSync(
      path.join(dir, "hive.lock"),
      JSON.stringify({ pid: Number(dead.stdout), host: os.hostname(), purpose: "crashed server", startedAt: "earlier" }),
    );
    const lock = acquireDataDirLock(dir, "test");
    expect(JSON.parse(fs.readFileSync(path.join(dir, "hive.lock"), "utf8")).pid).toBe(process.pid);
    lock.release();
    expect(fs.existsSync(path.join(dir, "hive.lock"))).toBe(false);
  });

  it("refuses a lock held by a live process on this host", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hive-lock-"));
    fs.writeFileSync(
      path.join(dir, "hive.lock"),
      JSON.stringify({ pid: process.ppid, host: os.hostname(), purpose: "dashboard server", startedAt: "2026-01-01T00:00:00Z" }),
    );
    expect(() => acquireDataDirLock(dir, "test")).toThrow(DataDirLockedError);
    expect(() => acquireDataDirLock(dir, "test")).toThrow(`process ${process.ppid} on ${os.hostname()} (dashboard server`);
  });
});
