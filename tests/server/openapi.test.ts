import fs from "node:fs";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_STATUS } from "../../server/errors";
import { buildOpenApiDocument } from "../../server/openapi/document";
import { OPERATIONS } from "../../server/openapi/operations";
import { declaredRoutes } from "../helpers/api-routes";
import { agentFetch, mintAgentToken, operatorFetch, ROOT, type ServerProcess, startServer } from "../helpers/server";

// The OpenAPI document against the code: every route handler under app/ is in it (and nothing else), every example
// in it validates against the schema it illustrates (as the document states it, and as the route's contract parses
// it), and the served document's schemas hold for real answers.

type Schema = Record<string, unknown>;
type DescribedOperation = {
  security: unknown[];
  parameters: { name: string; in: string; schema: Schema; example?: unknown }[];
  requestBody?: { content: { "application/json": { schema: Schema; example?: unknown } } };
  responses: Record<string, { content?: Record<string, { schema?: Schema; example?: unknown }> }>;
};

const document = buildOpenApiDocument("http://127.0.0.1:3000");
const operationsOf = (doc: { paths: Record<string, Record<string, unknown>> }) =>
  Object.entries(doc.paths).flatMap(([pathname, methods]) => Object.entries(methods).map(([method, operation]) => ({ key: `${method.toUpperCase()} ${pathname}`, operation: operation as DescribedOperation })));
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
const validates = (schema: Schema, value: unknown) => {
  const check = ajv.compile(schema);
  return check(value) ? "valid" : ajv.errorsText(check.errors);
};

/** "GET /api/agents/{name}/logs" for every exported method of every route.ts under app/ (the 404 catch-all aside). */
function routeHandlers(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === "route.ts" && !full.includes("[[...path]]")) {
        const source = fs.readFileSync(full, "utf8");
        const methods = [...source.matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)].map((match) => match[1]!);
        const pathname = `/${path.relative(path.join(ROOT, "app"), path.dirname(full))}`.replace(/\[([^\]]+)\]/g, "{$1}");
        found.push(...methods.map((method) => `${method} ${pathname}`));
      }
    }
  };
  walk(path.join(ROOT, "app"));
  return found.sort();
}

describe("the OpenAPI document", () => {
  it("describes every route handler, and only those", () => {
    const handlers = routeHandlers();
    expect(handlers.length).toBeGreaterThan(40);
    expect(operationsOf(document).map(({ key }) => key).sort()).toEqual(handlers);
  });

  it("takes each route's auth and input schemas from what the route itself declared to withRoute", async () => {
    const declared = new Map((await declaredRoutes()).map((route) => [`${route.method} ${route.pattern.replace(/\[(\w+)\]/g, "{$1}")}`, route]));
    for (const operation of OPERATIONS) {
      const key = `${operation.method.toUpperCase()} ${operation.path}`;
      if (!operation.path.startsWith("/api/")) continue; // the probes live outside app/api
      const route = declared.get(key);
      expect(route, key).toBeDefined();
      expect(operation.auth, key).toBe(route!.auth);
      expect(operation.params, `${key} path`).toBe(route!.paramsSchema);
      expect(operation.query, `${key} query`).toBe(route!.query);
      // The MCP endpoint takes any JSON and checks the JSON-RPC message itself; the document says what it expects.
      if (key !== "POST /api/agent/mcp") expect(operation.body, `${key} body`).toBe(route!.body);
    }
  });

  it("is OpenAPI 3.1 with each route's auth, inputs, answers and error codes", () => {
    expect(document.openapi).toBe("3.1.0");
    const get = (key: string) => operationsOf(document).find((entry) => entry.key === key)!.operation;
    expect(get("POST /api/session").security).toEqual([]);
    expect(get("POST /api/agents/{name}/restart").security).toEqual([{ operatorToken: [] }, { operatorSession: [] }]);
    expect(get("POST /api/agent/mcp").security).toEqual([{ agentToken: [] }]);
    const restart = get("POST /api/agent/agents/{name}/restart");
    expect(restart.parameters).toEqual([expect.objectContaining({ name: "name", in: "path", schema: expect.objectContaining({ pattern: expect.any(String) }) })]);
    expect(restart.requestBody!.content["application/json"].schema).toMatchObject({ properties: { timeoutSeconds: { type: "integer", maximum: 300 } }, additionalProperties: false });
    expect(restart.responses["409"]!.content!["application/json"]!.schema).toMatchObject({ properties: { error: { properties: { code: { enum: ["action_in_flight"] } } } } });
    expect(restart.responses["403"]!.content!["application/json"]!.schema).toMatchObject({ properties: { error: { properties: { code: { enum: ["forbidden"] } } } } });
    const ask = get("POST /api/agent/questions");
    expect(ask.requestBody!.content["application/json"].schema).toMatchObject({ required: ["question"], properties: { ttl_seconds: { minimum: 10, maximum: 86400 } } });
    for (const { key, operation } of operationsOf(document)) {
      const statuses = Object.keys(operation.responses);
      expect(statuses.some((status) => status.startsWith("2") || status === "304"), key).toBe(true);
      expect(statuses, key).toContain("500");
      if (operation.security.length > 0) expect(statuses, key).toContain("401");
      if (operation.parameters.length > 0 || operation.requestBody) expect(statuses, key).toContain("400");
      // Every error response lists only codes whose status it is.
      for (const [status, response] of Object.entries(operation.responses)) {
        const codes = ((response.content?.["application/json"]?.schema as any)?.properties?.error?.properties?.code?.enum ?? []) as (keyof typeof ERROR_STATUS)[];
        for (const code of codes) expect(ERROR_STATUS[code], `${key} ${code}`).toBe(Number(status));
      }
    }
  });

  it("has an example for every input, and every example validates, as documented and as the route parses it", () => {
    let checked = 0;
    for (const operation of OPERATIONS) {
      const key = `${operation.method.toUpperCase()} ${operation.path}`;
      const described = operationsOf(document).find((entry) => entry.key === key)!.operation;
      if (operation.params) {
        expect(operation.params.safeParse(operation.examples?.params).success, `${key} path example`).toBe(true);
      }
      if (operation.query) {
        expect(operation.query.safeParse(operation.examples?.query).success, `${key} query example`).toBe(true);
      }
      for (const parameter of described.parameters) {
        expect(parameter.example, `${key} ${parameter.name}: an example`).toBeDefined();
        expect(validates(parameter.schema, parameter.example), `${key} ${parameter.name}`).toBe("valid");
        checked++;
      }
      if (operation.body) {
        const example = described.requestBody!.content["application/json"].example;
        expect(example, `${key}: a body example`).toBeDefined();
        expect(operation.body.safeParse(example).error?.message, `${key} body example`).toBeUndefined();
        expect(validates(described.requestBody!.content["application/json"].schema, example), `${key} body example`).toBe("valid");
        checked++;
      }
      for (const [status, answer] of Object.entries(described.responses)) {
        const json = answer.content?.["application/json"];
        if (json?.example === undefined) continue;
        expect(validates(json.schema!, json.example), `${key} ${status} example`).toBe("valid");
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it("rejects, as documented, what the route's contract rejects", () => {
    const ask = operationsOf(document).find((entry) => entry.key === "POST /api/agent/questions")!.operation;
    const schema = ask.requestBody!.content["application/json"].schema;
    for (const bad of [{}, { question: "ok?", ttl_seconds: 5 }, { question: "ok?", priority: "high" }, { question: 7 }]) {
      expect(validates(schema, bad), JSON.stringify(bad)).not.toBe("valid");
    }
  });
});

describe("the served document", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("is served without credentials at GET /api/openapi.json, and real answers match its schemas", async () => {
    const response = await fetch(`${server.baseUrl}/api/openapi.json`);
    expect(response.status).toBe(200);
    const served = await response.json();
    expect(served.openapi).toBe("3.1.0");
    // HIVE_PUBLIC_URL, by default localhost at the port.
    expect(served.servers[0].url).toBe(`http://localhost:${server.port}`);
    const schemaOf = (key: string, status: string) => operationsOf(served).find((entry) => entry.key === key)!.operation.responses[status]!.content!["application/json"]!.schema!;

    const minted = await operatorFetch(server, "/api/agent-tokens", { method: "POST", body: JSON.stringify({ agent: "described", role: "manager" }) });
    expect(minted.status).toBe(201);
    expect(validates(schemaOf("POST /api/agent-tokens", "201"), await minted.json())).toBe("valid");
    const { token } = await mintAgentToken(server, "asker");
    const asked = await agentFetch(server, token, "/api/agent/questions", { method: "POST", body: JSON.stringify({ question: "Documented?", ttl_seconds: 60 }) });
    const askedBody = await asked.json();
    expect(validates(schemaOf("POST /api/agent/questions", "201"), askedBody)).toBe("valid");
    const read = await agentFetch(server, token, `/api/agent/questions/${askedBody.id}`);
    expect(validates(schemaOf("GET /api/agent/questions/{id}", "200"), await read.json())).toBe("valid");
    const state = await operatorFetch(server, "/api/state");
    expect(validates(schemaOf("GET /api/state", "200"), await state.json())).toBe("valid");
    const refused = await agentFetch(server, token, "/api/agent/agents");
    expect(refused.status).toBe(403);
    expect(validates(schemaOf("GET /api/agent/agents", "403"), await refused.json())).toBe("valid");
    const login = await fetch(`${server.baseUrl}/api/session`, { method: "POST", headers: { "content-type": "application/json", origin: server.baseUrl }, body: JSON.stringify({ token: "wrong-token-000000000000" }) });
    expect(login.status).toBe(401);
    expect(validates(schemaOf("POST /api/session", "401"), await login.json())).toBe("valid");
  });
});
