import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routeUnderBasePath } from "@/host/base-path.mjs";
import { acceptedEncodings, createStaticFiles } from "@/host/static-files.mjs";
import { tempDir } from "../helpers/server";

describe("the base path as the host applies it", () => {
  it("hands Next the path without the prefix, redirects the bare prefix, keeps probes at the root", () => {
    expect(routeUnderBasePath("", "/api/state?x=1")).toEqual({ url: "/api/state?x=1" });
    expect(routeUnderBasePath("/hive", "/hive/api/state?x=1")).toEqual({ url: "/api/state?x=1" });
    expect(routeUnderBasePath("/hive", "/hive/")).toEqual({ url: "/" });
    expect(routeUnderBasePath("/hive", "/hive")).toEqual({ redirect: "/hive/" });
    expect(routeUnderBasePath("/hive", "/hive?next=1")).toEqual({ redirect: "/hive/?next=1" });
    expect(routeUnderBasePath("/hive", "/dashboard-healthz")).toEqual({ url: "/dashboard-healthz" });
    expect(routeUnderBasePath("/hive", "/dashboard-livez")).toEqual({ url: "/dashboard-livez" });
    for (const outside of ["/", "/hivex/api", "/api/state", "/HIVE/", "/dashboard-healthz/x"]) {
      expect(routeUnderBasePath("/hive", outside), outside).toEqual({ notFound: true });
    }
  });

  it("reads which encodings a client takes, best first, honouring q=0", () => {
    expect(acceptedEncodings("gzip, deflate, br, zstd")).toEqual(["br", "gzip"]);
    expect(acceptedEncodings("gzip")).toEqual(["gzip"]);
    expect(acceptedEncodings("br;q=0, gzip;q=0.5")).toEqual(["gzip"]);
    expect(acceptedEncodings("*")).toEqual(["br", "gzip"]);
    expect(acceptedEncodings("*;q=0, identity")).toEqual([]);
    expect(acceptedEncodings(undefined)).toEqual([]);
  });
});

describe("static files", () => {
  let server: http.Server;
  let base: string;
  const body = Buffer.from("console.log('hive');\n".repeat(200));

  beforeAll(async () => {
    const dir = tempDir("hive-static-");
    fs.mkdirSync(path.join(dir, "chunks"));
    fs.writeFileSync(path.join(dir, "chunks", "a.js"), body);
    fs.writeFileSync(path.join(dir, "chunks", "a.js.br"), zlib.brotliCompressSync(body));
    fs.writeFileSync(path.join(dir, "chunks", "plain.css"), "body{}");
    fs.writeFileSync(path.join(dir, "..", "secret.txt"), "outside");
    const serveStatic = createStaticFiles(dir);
    server = http.createServer((req, res) => {
      if (!serveStatic(req, res)) res.writeHead(599).end("fell through");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const get = (pathname: string, headers: Record<string, string> = {}, method = "GET") =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const request = http.request(`${base}${pathname}`, { headers, method }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }));
      });
      request.on("error", reject);
      request.end();
    });

  it("serves the precompressed copy a client accepts, else the file itself, cacheable for good", async () => {
    const brotli = await get("/_next/static/chunks/a.js", { "accept-encoding": "gzip, br" });
    expect(brotli.headers["content-encoding"]).toBe("br");
    expect(zlib.brotliDecompressSync(brotli.body).equals(body)).toBe(true);
    const gzipOnly = await get("/_next/static/chunks/a.js", { "accept-encoding": "gzip" });
    expect(gzipOnly.headers["content-encoding"]).toBeUndefined(); // no .gz copy was made
    expect(gzipOnly.body.equals(body)).toBe(true);
    expect(gzipOnly.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(gzipOnly.headers["content-type"]).toBe("application/javascript; charset=utf-8");
    const css = await get("/_next/static/chunks/plain.css");
    expect(css.headers["content-type"]).toBe("text/css; charset=utf-8");
    const head = await get("/_next/static/chunks/a.js", {}, "HEAD");
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(Number(head.headers["content-length"])).toBe(body.length);
  });

  it("leaves missing files, other paths, other methods and escapes to Next", async () => {
    for (const pathname of ["/_next/static/chunks/missing.js", "/_next/static/../secret.txt", "/_next/static/%2e%2e/secret.txt", "/_next/static/chunks//a.js", "/api/state", "/_next/static/chunks/%E0%A4%A"]) {
      expect((await get(pathname)).status, pathname).toBe(599);
    }
    expect((await get("/_next/static/chunks/a.js", {}, "POST")).status).toBe(599);
  });
});
