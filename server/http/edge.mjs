// What server.mjs checks before Next routes a request, and the JSON it answers with when Next's own answer would
// not be: plain JavaScript, because it runs in the Node server in front of Next, outside Next's bundles.
import { randomBytes } from "node:crypto";
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

/** Set on every answer, pages and API alike. */
const COMMON_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
};
/** JSON and event streams are never rendered: they may load nothing and be framed by no one. */
const API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/** The page-rendering request header Next reads its script nonce from; also the one our layout reads. */
export const NONCE_HEADER = "x-hive-nonce";

/**
 * A page's policy: scripts only with this response's nonce (Next puts it on its own scripts, the layout on its
 * theme script) and what they load ('strict-dynamic'); styles and everything else from our own origin only.
 */
export function pagePolicy(nonce) {
  return [
    "default-src 'self'",
    `script-src 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * The security headers of one answer. A page gets a fresh nonce, handed to Next through the request's own
 * Content-Security-Policy header (where Next looks for it); whatever the client sent there is replaced.
 */
function applySecurityHeaders(req, res, { api, https }) {
  for (const [name, value] of Object.entries(COMMON_HEADERS)) res.setHeader(name, value);
  if (https) res.setHeader("Strict-Transport-Security", "max-age=31536000");
  delete req.headers[NONCE_HEADER];
  delete req.headers["content-security-policy-report-only"];
  if (api) {
    delete req.headers["content-security-policy"];
    res.setHeader("Content-Security-Policy", API_POLICY);
    return;
  }
  const nonce = randomBytes(18).toString("base64url");
  const policy = pagePolicy(nonce);
  req.headers["content-security-policy"] = policy;
  req.headers[NONCE_HEADER] = nonce;
  res.setHeader("Content-Security-Policy", policy);
}

/**
 * Serves one request through Next, or answers it here: a refused path (400), a method no route handles (405),
 * and Next's empty 405 for an API route turned into the one JSON error shape with `Allow`. Resolves when Next
 * is done with the request.
 */
export async function routeRequest(req, res, handle, { https = false } = {}) {
  const api = isApiPath(req.url ?? "");
  applySecurityHeaders(req, res, { api, https });
  const unsafe = unsafePathReason(req.url);
  if (unsafe) return sendJsonError(res, 400, "invalid_request", unsafe);
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
