import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { type DeclaredRoute, declaredRoutes, routePath } from "../helpers/api-routes";
import { agentPrefix, cleanupAgents, docker, engineState } from "../helpers/docker";
import { createMigratedDatabase, type PostgresCluster, startPostgres } from "../helpers/postgres";
import { mintAgentToken, type ServerProcess, spawnAgent, startServer, TEST_OPERATOR_TOKEN } from "../helpers/server";

// Every route handler (found by walking app/api), fed generated bad input by every kind of caller: each answer is a
// 4xx JSON error, never a 5xx, and nothing happens: no agent is touched and no row is written but the audit's
// record of the refusal. Runs on PostgreSQL so the test can read every table while the server runs.
const RUNS_PER_ROUTE = 40;
const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const prefix = agentPrefix();
const sentinel = `${prefix}-fixed`;
let cluster: PostgresCluster;
let databaseUrl: string;
let server: ServerProcess;
let agentToken: string;
let routes: DeclaredRoute[];

beforeAll(async () => {
  cluster = await startPostgres();
  databaseUrl = await createMigratedDatabase(cluster.url());
  // Each request names a client address of its own (the proxy is trusted), so that no address is throttled and
  // every request reaches validation.
  server = await startServer({ DATABASE_URL: databaseUrl, HIVE_TRUSTED_PROXIES: "127.0.0.1/32" });
  await spawnAgent(server, sentinel);
  agentToken = (await mintAgentToken(server, `${prefix}-mgr`, "manager")).token;
  routes = await declaredRoutes();
});
afterAll(async () => {
  await server?.stop();
  await cleanupAgents(prefix);
  cluster?.destroy();
});

type Caller = "right" | "none" | "wrong" | "other";
type FuzzRequest = { caller: Caller; params: Record<string, string>; query: [string, string][]; body: { text: string; type: string } };

const unstorable = /\u0000|[\ud800-\udfff]/;
// "." and ".." are left out: a URL client resolves them away before sending (raw ones: tests/security/api-errors.test.ts).
const paramValue = fc.oneof(
  fc.string({ minLength: 1, maxLength: 80 }),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }),
  fc.string({ unit: "binary-ascii", minLength: 1, maxLength: 30 }),
  fc.constantFrom("%2e%2e", "a/b", "a\\b", " ", "\u0000", "x".repeat(300), "-lead", "UPPER", "q_missing", "apr_missing", "tok_missing0"),
  // Well-formed names and ids that nothing has: the route must look and answer 404, not act.
  fc.stringMatching(/^[a-z][a-z0-9-]{2,20}[a-z0-9]$/),
  fc.stringMatching(/^(q|apr|tok)_[A-Za-z0-9]{10,20}$/),
  fc.constant(sentinel),
).filter((value) => value !== "." && value !== "..");
const scalar = fc.oneof(fc.string({ maxLength: 40 }), fc.integer().map(String), fc.constantFrom("-1", "1e309", "NaN", "true", "", "\u0000", "999999999999999999999"));

function shapeKeys(schema: z.ZodType | undefined): string[] {
  const def = (schema as unknown as { def?: { shape?: Record<string, unknown>; options?: z.ZodType[]; type?: string; in?: z.ZodType; innerType?: z.ZodType } })?.def;
  if (!def) return [];
  if (def.shape) return Object.keys(def.shape);
  if (def.options) return def.options.flatMap(shapeKeys);
  return shapeKeys(def.in ?? def.innerType);
}

function bodyFor(schema: z.ZodType | undefined): fc.Arbitrary<{ text: string; type: string }> {
  const keys = shapeKeys(schema);
  const near = keys.length
    ? fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 12 })), fc.oneof(fc.jsonValue({ maxDepth: 2 }), scalar), { maxKeys: keys.length + 2 })
    : fc.jsonValue({ maxDepth: 2 });
  const json = fc.oneof(near, fc.jsonValue({ maxDepth: 3 })).map((value) => ({ text: JSON.stringify(value) ?? "null", type: "application/json" }));
  const junk = fc.oneof(
    fc.string({ maxLength: 60 }).map((text) => ({ text, type: "application/json" })),
    fc.jsonValue().map((value) => ({ text: JSON.stringify(value) ?? "null", type: "text/plain" })),
    fc.constantFrom({ text: '{"name":', type: "application/json" }, { text: "[]", type: "application/x-www-form-urlencoded" }),
  );
  return fc.oneof({ weight: 3, arbitrary: json }, { weight: 1, arbitrary: junk }, { weight: 1, arbitrary: fc.constant({ text: "", type: "application/json" }) });
}

function requestsFor(route: DeclaredRoute): fc.Arbitrary<FuzzRequest> {
  const keys = shapeKeys(route.query);
  return fc.record({
    caller: route.auth === "public" ? fc.constant<Caller>("right") : fc.constantFrom<Caller>("right", "right", "right", "none", "wrong", "other"),
    params: fc.record(Object.fromEntries(route.params.map((name) => [name, paramValue]))) as fc.Arbitrary<Record<string, string>>,
    query: fc.array(fc.tuple(keys.length ? fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 10 })) : fc.string({ maxLength: 10 }), scalar), { maxLength: 4 }),
    body: bodyFor(route.body),
  });
}

/** Why the server must refuse this request ("" when it is one the route may carry out), mirroring withRoute's order. */
function refusalReason(route: DeclaredRoute, request: FuzzRequest): string {
  if (request.caller !== "right") return "caller";
  const values = Object.values(request.params);
  if (values.some((value) => unstorable.test(value) || value === "." || value === ".." || /[/\\]/.test(value) || value.includes("%"))) return "path";
  if (route.paramsSchema && !route.paramsSchema.safeParse(request.params).success) return "params";
  const query = Object.fromEntries(request.query);
  const mutating = MUTATING.has(route.method);
  // A read ignores a query it does not declare.
  if ((route.query || mutating) && request.query.some(([key, value]) => unstorable.test(key) || unstorable.test(value))) return "query";
  if (route.query && new Set(request.query.map(([key]) => key)).size < request.query.length) return "query";
  if (route.query && !route.query.safeParse(query).success) return "query";
  // An action refuses a query or a body it does not declare (an empty body or {} is no body).
  if (!route.query && mutating && request.query.length > 0) return "query";
  if (mutating && request.body.text.trim() !== "") {
    if (!/^application\/json/.test(request.body.type)) return "body";
    let parsed: unknown;
    try {
      parsed = JSON.parse(request.body.text);
    } catch {
      return "body";
    }
    if (unstorable.test(request.body.text) || /\\u0000|\\ud[89ab]/i.test(request.body.text)) return "body";
    if (route.body && !route.body.safeParse(parsed).success) return "body";
    if (!route.body && JSON.stringify(parsed) !== "{}") return "body";
  } else if (mutating && route.body && !route.body.safeParse({}).success) return "body";
  if (values.length && !values.includes(sentinel)) return "unknown target";
  return "";
}

let address = 0;
async function send(route: DeclaredRoute, request: FuzzRequest): Promise<Response> {
  const headers = new Headers({ "x-forwarded-for": `198.18.${(address >> 8) & 255}.${address++ & 255}` });
  // The login is a browser's: same-origin, no credential.
  if (route.auth === "public") headers.set("origin", new URL(server.baseUrl).origin);
  const credential = {
    right: route.auth === "agent" ? agentToken : route.auth === "operator" ? TEST_OPERATOR_TOKEN : null,
    none: null,
    wrong: `hive_op_${"z".repeat(40)}`,
    other: route.auth === "agent" ? TEST_OPERATOR_TOKEN : agentToken,
  }[request.caller];
  if (credential) headers.set("authorization", `Bearer ${credential}`);
  const search = new URLSearchParams(request.query).toString();
  const url = `${server.baseUrl}${routePath(route, request.params)}${search ? `?${search}` : ""}`;
  const init: RequestInit = { method: route.method, headers, redirect: "manual", signal: AbortSignal.timeout(15_000) };
  if (MUTATING.has(route.method) && request.body.text !== "") {
    headers.set("content-type", request.body.type);
    init.body = request.body.text;
  }
  return fetch(url, init);
}

async function tableContents(): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // The leader's own bookkeeping moves on by itself: heartbeats, the uptime watch's log, buckets and mark, the webhook feed's cursor.
    const { rows } = await client.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = 'public' and table_name not in ('audit_log', 'instances', 'agent_state_log', 'agent_uptime_hourly', 'uptime_watch', 'webhook_feed') order by 1",
    );
    const contents: Record<string, string> = {};
    for (const { table_name: table } of rows) {
      // A token's last use is bookkeeping of the refused request's credential, not a change it made.
      const row_ = table === "agent_tokens" ? "(t.id, t.agent, t.role, t.token_hash, t.created_at, t.created_by, t.revoked_at)::text" : "t::text";
      const { rows: [row] } = await client.query(`select count(*)::int as n, md5(coalesce(string_agg(${row_}, '|' order by ${row_}), '')) as digest from "${table}" t`);
      contents[table] = `${row.n} rows, ${row.digest}`;
    }
    return contents;
  } finally {
    await client.end();
  }
}

async function auditSince(id: number): Promise<{ action: string; status: number }[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query("select action, status from audit_log where id > $1 order by id", [id])).rows;
  } finally {
    await client.end();
  }
}
const lastAuditId = async () => {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return Number((await client.query("select coalesce(max(id), 0) as id from audit_log")).rows[0].id);
  } finally {
    await client.end();
  }
};

describe("[SECURITY] every route against generated abuse", () => {
  it("answers bad input with a 4xx JSON error naming what is wrong, touches no agent and writes no row", { timeout: 600_000 }, async () => {
    expect(routes.length).toBeGreaterThan(30);
    const tablesBefore = await tableContents();
    const sentinelBefore = await engineState(sentinel);
    const auditFrom = await lastAuditId();
    const targets = new Set<string>();
    const report: string[] = [];

    for (const route of routes) {
      // A public read with no parameters (the API description) has nothing a caller could get wrong.
      if (route.auth === "public" && !MUTATING.has(route.method) && !route.params.length && !route.query) {
        report.push(`${route.key.padEnd(46)} takes no input and no credential: nothing to refuse`);
        continue;
      }
      const statuses = new Map<number, number>();
      const reasons = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(requestsFor(route), async (request) => {
          const reason = refusalReason(route, request);
          fc.pre(reason !== "");
          for (const value of Object.values(request.params)) targets.add(value);
          const response = await send(route, request);
          const type = response.headers.get("content-type") ?? "";
          const text = type.includes("event-stream") ? (await response.body?.cancel(), "") : await response.text();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
          const where = `${route.key} (${reason}) → ${response.status} ${text.slice(0, 200)}`;
          expect(response.status, where).toBeLessThan(500);
          expect(type, where).toContain("application/json");
          // A read about a name nothing has may answer with nothing (a crash history); everything else is refused.
          if (reason === "unknown target" && route.method === "GET" && response.ok) return;
          expect(response.status, where).toBeGreaterThanOrEqual(400);
          const { error } = JSON.parse(text) as { error: { code: unknown; message: unknown } };
          expect(typeof error.code === "string" && typeof error.message === "string" && error.message.length > 0, where).toBe(true);
        }),
        { numRuns: RUNS_PER_ROUTE, endOnFailure: true },
      );
      const counts = (map: Map<string | number, number>) => [...map].sort().map(([key, n]) => `${key}×${n}`).join(" ");
      report.push(`${route.key.padEnd(46)} sent: ${counts(reasons).padEnd(52)} got: ${counts(statuses)}`);
    }
    console.log(`routes fuzzed (${routes.length}, ${RUNS_PER_ROUTE} generated requests each):\n${report.join("\n")}`);

    // Nothing happened: the same rows (the audit holds only refusals), the sentinel untouched, no agent made.
    expect(await tableContents()).toEqual(tablesBefore);
    const audited = await auditSince(auditFrom);
    expect(audited.filter((row) => row.status < 400)).toEqual([]);
    const sentinelAfter = await engineState(sentinel);
    expect({ id: sentinelAfter?.id, status: sentinelAfter?.status, startedAt: sentinelAfter?.startedAt }).toEqual({
      id: sentinelBefore?.id,
      status: "running",
      startedAt: sentinelBefore?.startedAt,
    });
    const names = new Set((await docker.listContainers({ all: true })).flatMap((container) => container.Names.map((name) => name.replace(/^\/hive-/, ""))));
    expect([...targets].filter((target) => target !== sentinel && names.has(target))).toEqual([]);
  });
});
