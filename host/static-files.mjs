// Serves Next's hashed build assets (/_next/static/…) from disk with immutable caching, and the brotli or gzip copy
// made at build time (scripts/precompress.mjs) when the client accepts it. Anything not found falls through to Next.
import fs from "node:fs";
import path from "node:path";

const TYPES = {
  ".js": "application/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".png": "image/png",
  ".ico": "image/x-icon",
};
const PREFIX = "/_next/static/";

/** Which precompressed copies the client takes, best first (q=0 refuses one). */
export function acceptedEncodings(header) {
  const offered = new Map();
  for (const part of String(header ?? "").toLowerCase().split(",")) {
    const [name = "", ...params] = part.trim().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    offered.set(name.trim(), q ? Number(q.slice(2)) : 1);
  }
  const takes = (name) => (offered.get(name) ?? offered.get("*") ?? 0) > 0;
  return [takes("br") && "br", takes("gzip") && "gzip"].filter(Boolean);
}

const SUFFIX = { br: ".br", gzip: ".gz" };

export function createStaticFiles(staticRoot) {
  const root = path.resolve(staticRoot);
  const found = new Map(); // file path → stat or null, read once: the build output does not change while serving

  function statOnce(file) {
    if (!found.has(file)) {
      const stat = fs.statSync(file, { throwIfNoEntry: false });
      found.set(file, stat?.isFile() ? stat : null);
    }
    return found.get(file);
  }

  /** Answers the request and returns true, or returns false to let Next answer it. */
  return function serveStatic(req, res) {
    if ((req.method !== "GET" && req.method !== "HEAD") || !req.url?.startsWith(PREFIX)) return false;
    let relative;
    try {
      relative = decodeURIComponent(req.url.slice(PREFIX.length).split("?")[0]);
    } catch {
      return false;
    }
    if (relative.includes("\0") || relative.split("/").some((segment) => segment === ".." || segment === "")) return false;
    const file = path.join(root, relative);
    if (!file.startsWith(`${root}${path.sep}`)) return false;
    const plain = statOnce(file);
    if (!plain) return false;
    const type = TYPES[path.extname(file)] ?? "application/octet-stream";
    let served = { file, stat: plain, encoding: null };
    for (const encoding of acceptedEncodings(req.headers["accept-encoding"])) {
      const stat = statOnce(file + SUFFIX[encoding]);
      if (stat) {
        served = { file: file + SUFFIX[encoding], stat, encoding };
        break;
      }
    }
    res.statusCode = 200;
    res.setHeader("Content-Type", type);
    res.setHeader("Content-Length", served.stat.size);
    // Hashed names: a changed file gets a new name, so browsers and proxies may keep this one for good.
    res.setHeader("Cache-Control", "public, max-age=31536000, immutable");
    res.setHeader("Vary", "Accept-Encoding");
    if (served.encoding) res.setHeader("Content-Encoding", served.encoding);
    if (req.method === "HEAD") {
      res.end();
      return true;
    }
    const stream = fs.createReadStream(served.file);
    stream.on("error", () => res.destroy());
    stream.pipe(res);
    return true;
  };
}
