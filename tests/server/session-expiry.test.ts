import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createMigratedDatabase } from "../helpers/postgres";
import { type ServerProcess, startServer, TEST_OPERATOR_TOKEN } from "../helpers/server";

// Sessions end at their TTL. An hour is the shortest TTL, so the test moves the session's end into the past in the
// database (what the passing of the TTL does) rather than waiting for it.
let server: ServerProcess;
let database: pg.Client;

beforeAll(async () => {
  const url = await createMigratedDatabase(inject("postgresAdminUrl"));
  server = await startServer({ DATABASE_URL: url, HIVE_SESSION_TTL_HOURS: "2" });
  database = new pg.Client({ connectionString: url });
  await database.connect();
});
afterAll(async () => {
  await database?.end();
  await server?.stop();
});

describe("session expiry", () => {
  it("issues a session for HIVE_SESSION_TTL_HOURS and refuses it once that time has passed, on the API and the page", async () => {
    const loggedInAt = Date.now();
    const login = await fetch(`${server.baseUrl}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.baseUrl },
      body: JSON.stringify({ token: TEST_OPERATOR_TOKEN }),
    });
    expect(login.status).toBe(200);
    const setCookie = login.headers.get("set-cookie")!;
    const cookie = setCookie.split(";")[0]!;
    const expires = Date.parse(/Expires=([^;]+)/.exec(setCookie)![1]!);
    expect(Math.abs(expires - (loggedInAt + 2 * 3_600_000))).toBeLessThan(60_000);
    const { rows } = await database.query<{ id: string; expires_at: Date }>("select id, expires_at from operator_sessions");
    expect(rows).toHaveLength(1);
    expect(Math.abs(rows[0]!.expires_at.getTime() - expires)).toBeLessThan(1_000);
    expect((await fetch(`${server.baseUrl}/api/state`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${server.baseUrl}/`, { headers: { cookie }, redirect: "manual" })).status).toBe(200);

    await database.query("update operator_sessions set expires_at = now() - interval '1 second' where id = $1", [rows[0]!.id]);
    const expired = await fetch(`${server.baseUrl}/api/state`, { headers: { cookie } });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({ error: { code: "unauthorized", message: "log in as an operator first" } });
    const page = await fetch(`${server.baseUrl}/`, { headers: { cookie }, redirect: "manual" });
    expect(page.status).toBe(307);
    expect(new URL(page.headers.get("location")!, server.baseUrl).pathname).toBe("/login");
  });
});
