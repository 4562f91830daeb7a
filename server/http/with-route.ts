import "server-only";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { getApp } from "../app";
import type { CallContext, HiveContext } from "../context";
import { type Actor, type AgentActor, describeActor, type OperatorActor } from "../contracts/actors";
import { HiveError, isHiveError } from "../errors";
import { storageLocation, toHiveError } from "../failures";
import { log, measure, runWithLogContext, serverTimingHeader } from "../log";
import { recordAudit } from "./audit";
import { isSameOrigin, resolveActor, usesAmbientCredentials } from "./auth";
import { clientAddress, peerAddress } from "./forwarded";
import { requestScope, sameScope } from "./request-scope";
import { validateInput } from "./validate";

export const MAX_BODY_BYTES = 64 * 1024;
const TRACE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/;
const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

type AuthMode = "public" | "operator" | "agent";
type ActorFor<A extends AuthMode> = A extends "operator"
  ? OperatorActor
  : A extends "agent"
    ? AgentActor
    : Actor | null;

export type RouteContext<A extends AuthMode, B, Q, P> = {
  /** The services' context for this call: who acts, the trace id, and a signal for when the client is gone. */
  ctx: CallContext<ActorFor<A>>;
  request: Request;
  body: B;
  query: Q;
  params: P;
  /**
   * Runs `release` when this request is over: at once for a plain answer, when the stream ends (or its client goes
   * away) for an event stream. For what a request holds while it streams (a per-client slot).
   */
  holdUntilDone(release: () => void): void;
  /** Details added to this request's audit row. */
  audit: { target?: string; detail?: Record<string, unknown> };
};

export type RouteOptions<A extends AuthMode, B, Q, P> = {
  auth: A;
  /** Audit action name for mutating requests, such as "agent.restart". */
  action?: string;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  maxBodyBytes?: number;
  /** Set for routes that can be called before a session exists (login): still same-origin checked. */
  skipAudit?: boolean;
};

type NextRouteContext = { params?: Promise<Record<string, string | string[]>> };

export function traceIdFor(request: Request): string {
  const incoming = request.headers.get("x-trace-id");
  return incoming && TRACE_ID_PATTERN.test(incoming) ? incoming : randomBytes(16).toString("hex");
}

/** The one error shape: `{ error: { code, message } }`, plus `issues` for validation failures. */
export function errorResponse(error: HiveError, traceId: string): Response {
  const body: Record<string, unknown> = { code: error.code, message: error.message };
  if (error.details) Object.assign(body, error.details);
  const headers: Record<string, string> = responseHeaders(traceId);
  if (typeof error.details?.retryAfterSeconds === "number") headers["Retry-After"] = String(error.details.retryAfterSeconds);
  return Response.json({ error: body }, { status: error.status, headers });
}

function responseHeaders(traceId: string): Record<string, string> {
  return { "X-Trace-Id": traceId, "Cache-Control": "no-store" };
}

/** An action takes only what it declares: a query or body it would ignore is refused, never silently dropped. */
function refuseUndeclared(present: boolean, where: string, what: string): undefined {
  if (present) throw new HiveError("invalid_request", `invalid ${where}: this route takes no ${what}`);
  return undefined;
}

/** A query parameter given twice is refused: which one counts would be a guess. */
function singleValuedQuery(search: URLSearchParams): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of search) {
    if (Object.hasOwn(query, key)) throw new HiveError("invalid_request", `invalid query: ${key} is given more than once`);
    query[key] = value;
  }
  return query;
}

function isEmptyBody(body: unknown): boolean {
  return body === undefined || (typeof body === "object" && body !== null && !Array.isArray(body) && Object.keys(body).length === 0);
}

async function readJsonBody(request: Request, limit: number): Promise<unknown> {
  const declared = request.headers.get("content-length");
  if (declared && Number(declared) > limit) {
    throw new HiveError("payload_too_large", `request body exceeds ${limit} bytes`);
  }
  if (!request.body) return undefined;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new HiveError("payload_too_large", `request body exceeds ${limit} bytes`);
    }
    chunks.push(value);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return undefined;
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/([a-z.+-]*\+)?json\b/i.test(type)) {
    throw new HiveError("unsupported_media_type", "request bodies must be JSON (Content-Type: application/json)");
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HiveError("malformed_json", `request body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Wraps a route handler: trace id, authentication, same-origin check, body/query/params validation,
 * the service call, error mapping, the request log line and the audit row.
 */
/** What each route handler declared (its auth and schemas), for describing the API and for abusing it in tests. */
const declaredRoutes = new WeakMap<object, RouteOptions<AuthMode, unknown, unknown, unknown>>();

export function declaredRoute(handler: unknown): RouteOptions<AuthMode, unknown, unknown, unknown> | undefined {
  return typeof handler === "function" ? declaredRoutes.get(handler) : undefined;
}

export function withRoute<A extends AuthMode, B = undefined, Q = undefined, P = undefined>(
  options: RouteOptions<A, B, Q, P>,
  handler: (ctx: RouteContext<A, B, Q, P>) => Promise<Response | unknown>,
) {
  const route = async (request: Request, nextContext?: NextRouteContext): Promise<Response> => {
    const traceId = traceIdFor(request);
    const started = performance.now();
    const method = request.method.toUpperCase();
    const url = new URL(request.url);
    return runWithLogContext({ traceId }, async () => {
      const logger = log();
      let context: HiveContext | undefined;
      let watched: { signal: AbortSignal; release: () => void } | undefined;
      let streamHoldsWatch = false;
      const held: (() => void)[] = [];
      const releaseHeld = () => {
        for (const release of held.splice(0)) release();
      };
      let actor: Actor | null = null;
      const audit: RouteContext<A, B, Q, P>["audit"] = {};
      let response: Response;
      let failure: HiveError | undefined;
      try {
        const app = await getApp();
        context = app.context;
        if (context.shutdownSignal.aborted) throw new HiveError("shutting_down", "the dashboard is shutting down");
        const rawParams = (await nextContext?.params) ?? {};
        const params = options.params ? validateInput(options.params, rawParams, "path") : (undefined as P);
        if (options.params && params && typeof params === "object" && "name" in params) {
          audit.target = String((params as { name: unknown }).name);
        }
        // Agent routes take bearer tokens only: ambient credentials (a cookie, the proxy's identity) resolve to an
        // operator, refused below, so a cross-site request cannot act there; a request with no token gets 401.
        const ambientMatters = options.auth !== "agent" && usesAmbientCredentials(request);
        if (MUTATING.has(method) && ambientMatters && !isSameOrigin(request, context.config.publicOrigins)) {
          throw new HiveError("cross_site_request", `cross-site requests are refused; use the dashboard at ${context.config.publicUrl} (HIVE_PUBLIC_URL)`);
        }
        actor = options.auth === "public" ? null : await resolveActor(context, request);
        if (options.auth === "operator") {
          if (!actor) throw new HiveError("unauthorized", "log in as an operator first");
          if (actor.kind !== "operator") throw new HiveError("forbidden", "agent tokens cannot call operator routes");
        } else if (options.auth === "agent") {
          if (!actor) throw new HiveError("unauthorized", "an agent bearer token is required");
          if (actor.kind !== "agent") throw new HiveError("forbidden", "this route is for agents; use an agent token");
        }
        const mutating = MUTATING.has(method);
        const query = options.query
          ? validateInput(options.query, singleValuedQuery(url.searchParams), "query")
          : (refuseUndeclared(mutating && url.searchParams.size > 0, "query", "query parameters") as Q);
        const rawBody = mutating ? await readJsonBody(request, options.maxBodyBytes ?? MAX_BODY_BYTES) : undefined;
        const body = options.body
          ? validateInput(options.body, rawBody === undefined ? {} : rawBody, "body")
          : (refuseUndeclared(!isEmptyBody(rawBody), "body", "a body (send none, or {})") as B);
        const booted = context;
        const caller = actor;
        // The call's signal also ends with the caller's credential (token revoked, logout, session expiry, on any
        // replica); it is watched only for the routes that ask for it (streams and long polls).
        const ctx = { ...context, actor: actor as ActorFor<A>, traceId, logger } as CallContext<ActorFor<A>>;
        Object.defineProperty(ctx, "signal", {
          enumerable: true,
          get() {
            if (!watched) {
              const scope = requestScope(request);
              watched = booted.revocations.watch(caller, scope);
              sameScope(watched.signal, scope);
            }
            return watched.signal;
          },
        });
        const result = await handler({ ctx, request, body, query, params, audit, holdUntilDone: (release) => void held.push(release) });
        response = result instanceof Response ? result : Response.json(result ?? { ok: true });
        // A long poll its credential's end cut short answers 401.
        if (watched?.signal.aborted && isHiveError(watched.signal.reason)) throw watched.signal.reason;
        if (watched) held.push(watched.release);
        if (held.length && isEventStream(response)) {
          const release = once(releaseHeld);
          request.signal.addEventListener("abort", release, { once: true });
          response = releasedWhenDone(response, release);
          streamHoldsWatch = true;
        }
        for (const [key, value] of Object.entries(responseHeaders(traceId))) {
          if (!response.headers.has(key)) response.headers.set(key, value);
        }
      } catch (error) {
        failure = toHiveError(error, { engine: context?.engine, logger, storage: context && storageLocation(context.config) });
        response = errorResponse(failure, traceId);
      }
      if (!streamHoldsWatch) {
        watched?.release();
        releaseHeld();
      }
      // This process's writes are visible to its next state read at once, not only after their NOTIFY arrives.
      if (context && MUTATING.has(method)) context.caches.state.invalidate();
      const durationMs = Math.round((performance.now() - started) * 10) / 10;
      const client = context ? clientAddress(request, context.config.auth.trustedProxies) : peerAddress(request);
      const line = { method, path: url.pathname, status: response.status, durationMs, actor: describeActor(actor), client };
      if (response.status >= 500) logger.error({ ...line, code: failure?.code }, "request failed");
      else logger.info(line, "request");
      if (context && MUTATING.has(method) && !options.skipAudit) {
        await measure("audit", () => recordAudit(context, logger, {
          actor,
          action: options.action ?? `${method} ${url.pathname}`,
          target: audit.target,
          status: response.status,
          errorCode: failure?.code,
          traceId,
          detail: audit.detail,
        }));
      }
      const timing = serverTimingHeader();
      if (timing && !response.headers.has("Server-Timing")) {
        try {
          response.headers.set("Server-Timing", `${timing}, total;dur=${(performance.now() - started).toFixed(1)}`);
        } catch {
          // immutable headers (a streamed response): no timing
        }
      }
      return response;
    });
  };
  declaredRoutes.set(route, options as RouteOptions<AuthMode, unknown, unknown, unknown>);
  return route;
}

const once = (work: () => void) => {
  let done = false;
  return () => {
    if (!done) (done = true), work();
  };
};

const isEventStream = (response: Response) => Boolean(response.body) && (response.headers.get("content-type") ?? "").startsWith("text/event-stream");

/** A stream's credential watch is released when the stream ends (a client that leaves releases it through its signal). */
function releasedWhenDone(response: Response, release: () => void): Response {
  const body = response.body!.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ flush: release }));
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}
