// What server.mjs checks before Next routes a request, and the JSON it answers with when Next's own answer would
// not be: plain JavaScript, because it runs in the Node server in front of Next, outside Next's bundles.
import http from "node:http";
import { Socket } from "node:net";

/** Methods Next routes to handlers; anything else (TRACE, CONNECT, made-up verbs) is answered here. */
const ROUTABLE_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
const PAGE_METHODS = "GET, HEAD";

/**
 * Why a request path must not be routed, or null. Next resolves `%2e%2e` like `..` after any check of ours could
 * see it, so `/api/agents/a/%2e%2e/b/stop` would act on `b`: dot segments (plain or encoded) and encoded
 * separators or NUL are refused outright.
 */
export function unsafePathReason(url) {
  const path = (url ?? "").split("?")[0];
  if (!path.startsWith("/")) return "the request path must start with /";
  if (/%(2f|5c|00)/i.test(path) || path.includes("\\") || path.includes("\0")) {
    return "the request path holds an encoded separator or NUL";
  }
  for (const segment of path.split("/")) {
    const dots = segment.replace(/%2e/gi, ".");
    if (dots === "." || dots === "..") return "the request path holds a dot segment (. or ..)";
  }
  return null;
}

export function sendJsonError(res, status, code, message, headers = {}) {
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(status, {
    ...headers,
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-store",
  });
  res.end(res.req?.method === "HEAD" ? undefined : body);
}

const isApiPath = (url) => url === "/api" || url.startsWith("/api/") || url.startsWith("/api?");

const PROBE_TIMEOUT_MS = 2_000;

/**
 * The methods a route answers, asked of Next itself: an OPTIONS request it handles in-process (route handlers
 * answer OPTIONS with `Allow`, no body). Null when no route matches (or Next does not answer in time).
 */
async function allowedMethods(handle, req) {
  const probe = new http.IncomingMessage(new Socket());
  probe.method = "OPTIONS";
  probe.url = req.url;
  probe.headers = { host: req.headers.host ?? "localhost" };
  probe.push(null);
  const answer = new http.ServerResponse(probe);
  let timer;
  const answered = await Promise.race([
    handle(probe, answer).then(() => true),
    new Promise((resolve) => (timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS))),
  ]).finally(() => clearTimeout(timer));
  const allow = answer.getHeader("allow");
  answer.destroy();
  return answered && answer.statusCode < 400 && allow ? String(allow) : null;
}

/**
 * Serves one request through Next, or answers it here: a refused path (400), a method no route handles (405),
 * and Next's empty 405 for an API route turned into the one JSON error shape with `Allow`. Resolves when Next
 * is done with the request.
 */
export async function routeRequest(req, res, handle) {
  const unsafe = unsafePathReason(req.url);
  if (unsafe) return sendJsonError(res, 400, "invalid_request", unsafe);
  const api = isApiPath(req.url ?? "");
  if (api && req.method === "OPTIONS") {
    const allow = await allowedMethods(handle, req);
    if (!allow) return sendJsonError(res, 404, "not_found", `no API route at ${req.url.split("?")[0]}`);
    res.writeHead(204, { Allow: allow });
    return res.end();
  }
  if (!ROUTABLE_METHODS.has(req.method ?? "")) {
    const allow = api ? await allowedMethods(handle, req) : PAGE_METHODS;
    if (api && !allow) return sendJsonError(res, 404, "not_found", `no API route at ${req.url.split("?")[0]}`);
    return sendJsonError(res, 405, "method_not_allowed", `${req.method} is not allowed here; use ${allow}`, { Allow: allow });
  }
  if (api) replaceEmpty405(req, res, handle);
  return handle(req, res);
}

/** Next answers a method a route does not export with an empty 405: answer JSON naming the allowed ones. */
function replaceEmpty405(req, res, handle) {
  const end = res.end;
  res.end = function (...args) {
    if (res.statusCode !== 405 || res.headersSent || (args[0] && typeof args[0] !== "function")) return end.apply(this, args);
    res.end = end;
    allowedMethods(handle, req)
      .catch(() => null)
      .then((allow) => {
        sendJsonError(res, 405, "method_not_allowed", `${req.method} is not allowed here${allow ? `; use ${allow}` : ""}`, allow ? { Allow: allow } : {});
      });
    return this;
  };
}
