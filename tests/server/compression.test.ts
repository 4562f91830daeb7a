import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentPrefix, cleanupAgents, eventually } from "../helpers/docker";
import { mintAgentToken, operatorFetch, type ServerProcess, spawnAgent, startServer, TEST_OPERATOR_TOKEN } from "../helpers/server";
import { ensureTestImage } from "../helpers/test-image";

const prefix = agentPrefix();
let server: ServerProcess;

beforeAll(async () => {
  await ensureTestImage();
  server = await startServer();
});
afterAll(async () => {
  await cleanupAgents(prefix);
  await server?.stop();
});

type RawAnswer = { status: number; headers: http.IncomingHttpHeaders; body: Buffer };

/** A GET with Node's plain client, which neither asks for nor decodes any content encoding by itself. */
function rawGet(path: string, headers: Record<string, string>, { firstChunkOnly = false } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${server.baseUrl}${path}`, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        if (firstChunkOnly) {
          resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) });
          request.destroy();
        }
      });
      response.on("end", () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.on("error", (error) => (firstChunkOnly ? undefined : reject(error)));
  });
}

const bearer = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };

async function pageScripts(): Promise<string[]> {
  const html = (await rawGet("/login", {})).body.toString();
  return [...html.matchAll(/<script src="(\/_next\/static\/[^"]+\.js)"/g)].map((match) => match[1]!);
}

describe("compression and caching", () => {
  it("sends hashed assets precompressed (brotli, else gzip, else plain) with immutable caching", async () => {
    const scripts = await pageScripts();
    expect(scripts.length).toBeGreaterThan(3);
    const largest = { path: "", plain: 0 };
    for (const script of scripts) {
      const plain = await rawGet(script, {});
      if (plain.body.length > largest.plain) Object.assign(largest, { path: script, plain: plain.body.length });
    }
    const plain = await rawGet(largest.path, { "accept-encoding": "identity" });
    const brotli = await rawGet(largest.path, { "accept-encoding": "gzip, deflate, br" });
    const gzip = await rawGet(largest.path, { "accept-encoding": "gzip" });
    const refused = await rawGet(largest.path, { "accept-encoding": "br;q=0, gzip;q=0" });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(brotli.headers["content-encoding"]).toBe("br");
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(refused.headers["content-encoding"]).toBeUndefined();
    expect(brotli.body.length).toBeLessThan(gzip.body.length);
    expect(gzip.body.length).toBeLessThan(plain.body.length / 2);
    const { brotliDecompressSync, gunzipSync } = await import("node:zlib");
    expect(brotliDecompressSync(brotli.body).equals(plain.body)).toBe(true);
    expect(gunzipSync(gzip.body).equals(plain.body)).toBe(true);
    for (const answer of [plain, brotli, gzip]) {
      expect(answer.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
      expect(answer.headers.vary).toBe("Accept-Encoding");
      expect(answer.headers["content-type"]).toBe("application/javascript; charset=utf-8");
      expect(Number(answer.headers["content-length"])).toBe(answer.body.length);
    }
  });

  it("compresses pages and JSON answers on the fly when the client accepts it", async () => {
    const page = await rawGet("/login", { "accept-encoding": "gzip" });
    expect(page.status).toBe(200);
    expect(page.headers["content-encoding"]).toBe("gzip");
    const state = await rawGet("/api/state", { ...bearer, "accept-encoding": "gzip" });
    expect(state.status).toBe(200);
    expect(state.headers["content-encoding"]).toBe("gzip");
    const { gunzipSync } = await import("node:zlib");
    expect(JSON.parse(gunzipSync(state.body).toString())).toHaveProperty("containers");
  });

  it("never compresses an event stream, whatever the client accepts", async () => {
    const name = `${prefix}-stream`;
    await spawnAgent(server, name);
    const minted = await mintAgentToken(server, name);
    await eventually(async () => (await operatorFetch(server, "/api/state").then((r) => r.json())).containers?.some((c: { name: string; state: string }) => c.name === name && c.state === "running"), "agent running");
    const streams: [string, Record<string, string>][] = [
      ["/api/stream", bearer],
      ["/api/agent/events", { authorization: `Bearer ${minted.token}` }],
      [`/api/agents/${name}/logs/stream`, bearer],
    ];
    for (const [path, auth] of streams) {
      for (const accept of [{}, { accept: "text/event-stream" }] as Record<string, string>[]) {
        const answer = await rawGet(path, { ...auth, ...accept, "accept-encoding": "gzip, deflate, br" }, { firstChunkOnly: true });
        expect(answer.status, path).toBe(200);
        expect(answer.headers["content-encoding"], path).toBeUndefined();
        expect(answer.headers["content-type"], path).toMatch(/^text\/event-stream/);
        expect(answer.headers["cache-control"], path).toBe("no-cache, no-transform");
        expect(answer.headers["x-accel-buffering"], path).toBe("no");
        expect(answer.body.toString(), path).toMatch(/^retry: \d+\n\n/);
      }
    }
  });
});
