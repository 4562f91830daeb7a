import "server-only";
import { z } from "zod";
import { ERROR_STATUS, type ErrorCode } from "../errors";
import { VERSION } from "../version";
import { type Answer, type Operation, OPERATIONS } from "./operations";

type JsonSchema = Record<string, unknown>;

/** JSON Schema 2020-12, the dialect of OpenAPI 3.1: what a request may send (input) or an answer holds (output). */
function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as JsonSchema;
  return rest;
}

const ALWAYS: ErrorCode[] = ["internal_error", "database_unavailable", "shutting_down"];

/** Every error code an operation may answer with: its own, and those its auth, inputs and engine use bring. */
export function errorCodesOf(operation: Operation): ErrorCode[] {
  const codes = new Set<ErrorCode>(ALWAYS);
  if (operation.auth !== "public") ["unauthorized", "forbidden", "rate_limited"].forEach((code) => codes.add(code as ErrorCode));
  if (operation.auth === "operator" && operation.method !== "get") codes.add("cross_site_request");
  if (operation.params || operation.query || operation.body) codes.add("invalid_request");
  if (operation.body) ["malformed_json", "payload_too_large", "unsupported_media_type"].forEach((code) => codes.add(code as ErrorCode));
  if (operation.method !== "get") codes.add("storage_full");
  if (operation.engine) ["runtime_not_ready", "runtime_error"].forEach((code) => codes.add(code as ErrorCode));
  for (const code of operation.errors ?? []) codes.add(code);
  return [...codes];
}

const ERROR_BODY_DESCRIPTION = "Every error has this shape; some carry more fields (the in-flight action's holder, a question's answer, issues naming fields).";

function errorResponses(operation: Operation) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodesOf(operation)) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, codes]) => [
      String(status),
      {
        description: codes.join(", "),
        content: {
          "application/json": {
            schema: {
              type: "object",
              description: ERROR_BODY_DESCRIPTION,
              required: ["error"],
              properties: {
                error: { type: "object", required: ["code", "message"], properties: { code: { type: "string", enum: codes }, message: { type: "string" } } },
              },
            },
          },
        },
      },
    ]),
  );
}

function successResponse(answer: Answer) {
  const type = answer.contentType ?? "application/json";
  if (!answer.schema && type === "application/json") return { description: answer.description };
  const content: JsonSchema = answer.schema ? { schema: jsonSchema(answer.schema, "output") } : {};
  if (answer.example !== undefined) content.example = answer.example;
  return { description: answer.description, content: { [type]: content } };
}

/** A URL's text as the parameter's schema types it (`limit=50` is the integer 50). */
const typedExample = (schema: JsonSchema, text: string) => (schema.type === "integer" || schema.type === "number" ? Number(text) : text);

function parameters(operation: Operation) {
  const list: JsonSchema[] = [];
  for (const [where, schema, example] of [
    ["path", operation.params, operation.examples?.params],
    ["query", operation.query, operation.examples?.query],
  ] as const) {
    if (!schema) continue;
    const described = jsonSchema(schema, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, property] of Object.entries(described.properties ?? {})) {
      const { description, ...propertySchema } = property;
      list.push({
        name,
        in: where,
        required: where === "path" || (described.required ?? []).includes(name),
        ...(description ? { description } : {}),
        schema: propertySchema,
        ...(example?.[name] !== undefined ? { example: typedExample(propertySchema, example[name]) } : {}),
      });
    }
  }
  return list;
}

const SECURITY = {
  public: [],
  operator: [{ operatorToken: [] }, { operatorSession: [] }],
  agent: [{ agentToken: [] }],
} as const;

function describeOperation(operation: Operation) {
  const body = operation.body
    ? {
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: jsonSchema(operation.body, "input"),
              ...(operation.examples?.body !== undefined ? { example: operation.examples.body } : {}),
            },
          },
        },
      }
    : {};
  const responses: Record<string, unknown> = { ...errorResponses(operation) };
  for (const [status, answer] of Object.entries(operation.answers)) responses[status] = successResponse(answer);
  return {
    operationId: `${operation.method}${operation.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, next: string | undefined) => (next ?? "").toUpperCase())}`,
    tags: [operation.tag],
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    security: SECURITY[operation.auth],
    parameters: parameters(operation),
    ...body,
    responses,
  };
}

/** The REST API described as OpenAPI 3.1, built from the route contracts (GET /api/openapi.json). */
export function buildOpenApiDocument(serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of OPERATIONS) (paths[operation.path] ??= {})[operation.method] = describeOperation(operation);
  return {
    openapi: "3.1.0",
    info: {
      title: "Hive Dashboard API",
      version: VERSION,
      description:
        "Operators (token, session cookie or auth proxy) run the fleet; agents use /api/agent/* with their own bearer token, " +
        "or the same tools over MCP at /api/agent/mcp. Every error is `{ error: { code, message } }`: an unknown /api path is " +
        "404 not_found, a method a route does not take 405 method_not_allowed (with Allow).",
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        operatorToken: { type: "http", scheme: "bearer", description: "The operator token (HIVE_OPERATOR_TOKEN)" },
        operatorSession: { type: "apiKey", in: "cookie", name: "hive_session", description: "The session cookie POST /api/session sets" },
        agentToken: { type: "http", scheme: "bearer", description: "An agent token (POST /api/agent-tokens; HIVE_AGENT_TOKEN in a spawned agent)" },
      },
    },
    paths,
  };
}

let described: { url: string; document: ReturnType<typeof buildOpenApiDocument> } | undefined;

/** The document for this process's public URL, built once. */
export function describeApi(publicUrl: string) {
  if (described?.url !== publicUrl) described = { url: publicUrl, document: buildOpenApiDocument(publicUrl) };
  return described.document;
}
