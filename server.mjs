// The production HTTP server: Next.js's request handler behind a small Node server that owns what Next
// leaves to the host: a trace id on every request, the client's socket address for trusted-proxy checks,
// the base path (HIVE_BASE_PATH, chosen at start: one build serves under any prefix), precompressed static
// assets, and a graceful shutdown that drains requests before the database closes, within one overall deadline.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { Duplex } from "node:stream";
import { fileURLToPath } from "node:url";
import { basePathFromEnv, routeUnderBasePath } from "./host/base-path.mjs";
import { appDirForBasePath } from "./host/build-overlay.mjs";
import { createStaticFiles } from "./host/static-files.mjs";

process.env.NODE_ENV = "production";
const root = path.dirname(fileURLToPath(import.meta.url));
process.chdir(root);

// Next runs the build's own serialised configuration (what its standalone server does, and all a container image
// has: no next.config.ts compiler there), with the asset prefix set to this start's base path.
const basePath = basePathFromEnv();
const serverFilesPath = path.join(root, ".next", "required-server-files.json");
if (!fs.existsSync(serverFilesPath)) {
  process.stderr.write("\nhive-dashboard: no production build here; run `npm run build` first\n\n");
  process.exit(1);
}
const builtConfig = JSON.parse(fs.readFileSync(serverFilesPath, "utf8")).config;
process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify({ ...builtConfig, assetPrefix: basePath });
const { dir: appDir } = appDirForBasePath(root, basePath);

const { default: next } = await import("next");
const { default: pino } = await import("pino");
const { routeRequest, sendJsonError } = await import("./server/http/edge.mjs");
const { redactQueryParams } = await import("./server/redact.mjs");

const TRACE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/;
const appKey = Symbol.for("hive.app");

const startedAt = performance.now();
// Where to listen is decided by the validated configuration below; Next is not told a host or port (it names itself
// with them only where a request does not, and every request names its host).
const app = next({ dev: false, dir: appDir });
await app.prepare();
// instrumentation.ts boots the dashboard (config, database, engine monitor) or exits with a clear message.
// Next would run it lazily; it runs here, through Next's own once-only registry, before the port opens.
const require = createRequire(import.meta.url);
const { ensureInstrumentationRegistered } = require("next/dist/server/lib/router-utils/instrumentation-globals.external.js");
await ensureInstrumentationRegistered(appDir, ".next");
const hive = globalThis[appKey]?.app;
if (!hive) {
  process.stderr.write("\nhive-dashboard: start-up did not complete (instrumentation did not boot the app)\n\n");
  process.exit(1);
}
// Every setting comes from the configuration the boot validated (server/config), none from the environment here.
const { port, host, shutdownTimeoutMs, logLevel } = hive.context.config;
// The host read HIVE_BASE_PATH before the configuration existed (Next's asset prefix is set before it boots).
if (hive.context.config.basePath !== basePath) {
  process.stderr.write(`\nhive-dashboard: HIVE_BASE_PATH was read as "${basePath}" by the host but "${hive.context.config.basePath}" by the app\n\n`);
  process.exit(1);
}
const logger = pino({
  level: logLevel,
  base: { service: "hive-dashboard", component: "http" },
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }), log: (fields) => redactQueryParams(fields) },
});
const handle = app.getRequestHandler();
const serveStatic = createStaticFiles(path.join(root, ".next", "static"));
/** Hashed build assets from disk (precompressed), everything else through Next. */
const serve = (req, res) => (serveStatic(req, res) ? Promise.resolve() : handle(req, res));
// Pages and JSON are compressed on the fly here, around everything that answers (Next, and the JSON errors
// server/http/edge.mjs writes in Next's place); Next's own compressor is off, as it would commit a response's
// head before those could replace it. Event streams send `no-transform`, which the compressor honours.
const compress = require("next/dist/compiled/compression")();
const publicUrlIsHttps = hive.context.config.publicUrl.startsWith("https:");

let inflight = 0;
let drained = () => {};
let shuttingDown = false;

const server = http.createServer((req, res) => {
  const incoming = req.headers["x-trace-id"];
  const traceId = typeof incoming === "string" && TRACE_ID.test(incoming) ? incoming : randomBytes(16).toString("hex");
  req.headers["x-trace-id"] = traceId;
  res.setHeader("X-Trace-Id", traceId);
  // Only the socket says who connected; a client-sent copy of this header is never trusted.
  req.headers["x-hive-remote-addr"] = req.socket.remoteAddress ?? "";
  if (shuttingDown) res.setHeader("Connection", "close");
  inflight++;
  const began = performance.now();
  res.on("close", () => {
    inflight--;
    if (!req.url?.startsWith("/_next/") && !req.url?.startsWith("/api/") && !req.url?.startsWith("/dashboard-")) {
      logger.info(
        { traceId, method: req.method, path: req.url?.split("?")[0], status: res.statusCode, durationMs: Math.round(performance.now() - began) },
        "request",
      );
    }
    if (inflight === 0) drained();
  });
  const route = routeUnderBasePath(basePath, req.url ?? "/");
  if (route.redirect) {
    res.writeHead(308, { Location: route.redirect });
    res.end();
    return;
  }
  if (route.notFound) return sendJsonError(res, 404, "not_found", `this dashboard is served under ${basePath}/`);
  req.url = route.url;
  // Next hands a route handler's Content-Type over as a one-element array, which its compressor takes for an
  // unknown type and so never compresses JSON; a plain string lets it.
  const setHeader = res.setHeader;
  res.setHeader = function setHeaderFlat(name, value) {
    const flat = Array.isArray(value) && value.length === 1 && String(name).toLowerCase() === "content-type" ? value[0] : value;
    return setHeader.call(this, name, flat);
  };
  // Event streams are never compressed (a compressor may hold events back); the streams also say no-transform.
  if (String(req.headers.accept ?? "").includes("text/event-stream")) delete req.headers["accept-encoding"];
  compress(req, res, () => {});
  // A client that leaves mid-answer would leave the compressor's zlib stream open for good.
  res.once("close", () => {
    if (res.writableFinished) return;
    const noop = () => {};
    const zlibStream = res.on("drain", noop); // the compressor hands 'drain' listeners to its zlib stream
    if (zlibStream instanceof Duplex && zlibStream !== res) zlibStream.destroy();
    else res.off("drain", noop);
  });
  routeRequest(req, res, serve, { https: publicUrlIsHttps }).catch((error) => {
    logger.error({ traceId, err: error?.message }, "request handler failed");
    if (!res.headersSent) {
      res.statusCode = 500;
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify({ error: { code: "internal_error", message: "internal error" } }));
    } else res.destroy();
  });
});
server.keepAliveTimeout = 65_000;

server.on("error", (error) => {
  process.stderr.write(`\nhive-dashboard: cannot listen on ${host}:${port}: ${error.message}\n\n`);
  process.exit(1);
});

server.listen(port, host, () => {
  logger.info({ port, host, startupMs: Math.round(performance.now() - startedAt) }, `listening on http://${host}:${port}`);
});

async function shutdown(signal) {
  if (shuttingDown) return;
  shuttingDown = true;
  // One deadline for the whole shutdown (validated config): whatever step still runs then is named, and the process ends.
  const deadlineMs = shutdownTimeoutMs;
  let step = "draining requests";
  setTimeout(() => {
    logger.error({ signal, step, deadlineMs, inflight }, `shutdown hung in step "${step}"; exiting at the ${deadlineMs} ms deadline`);
    process.exit(1);
  }, deadlineMs);
  logger.info({ signal, inflight, deadlineMs }, "shutting down: no new connections, draining requests");
  server.close();
  // Streams and long polls end now, so the requests carrying them finish instead of holding the drain.
  hive.beginShutdown();
  server.closeIdleConnections();
  // Requests get half the deadline; the other half is left for the workers, the engine monitor and the database.
  if (inflight > 0) {
    await Promise.race([
      new Promise((resolve) => (drained = resolve)),
      new Promise((resolve) => setTimeout(resolve, deadlineMs / 2).unref()),
    ]);
  }
  if (inflight > 0) logger.warn({ inflight, drainMs: deadlineMs / 2 }, "drain timed out; closing remaining connections");
  server.closeAllConnections();
  try {
    await hive.shutdown((next) => (step = next));
  } catch (error) {
    logger.error({ step, err: error?.message }, "shutdown failed");
  }
  process.exit(0);
}

process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
