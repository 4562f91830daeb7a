import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentPrefix, cleanupAgents, engineState } from "../helpers/docker";
import { readEvents } from "../helpers/sse";
import { agentFetch, mintAgentToken, operatorFetch, type ServerProcess, spawnAgent, startServer, TEST_OPERATOR_TOKEN } from "../helpers/server";
import { ensureTestImage } from "../helpers/test-image";

// One build, started under a prefix: everything the browser and the agents use lives below /hive/.
const prefix = agentPrefix();
let root: ServerProcess;
let hive: ServerProcess; // the same process, with the prefix in its base URL (the helpers append API paths to it)

beforeAll(async () => {
  await ensureTestImage();
  root = await startServer({ HIVE_BASE_PATH: "/hive/" });
  hive = { ...root, baseUrl: `${root.baseUrl}/hive` };
  // The public URLs default to the prefix too (login URL, same-origin check, agents' HIVE_API_URL).
  await root.waitForLog((line) => typeof line.msg === "string" && line.msg.includes(`${root.port}/hive/login`));
});
afterAll(async () => {
  await cleanupAgents(prefix);
  await root?.stop();
});

async function login(): Promise<string> {
  const response = await fetch(`${hive.baseUrl}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: root.baseUrl },
    body: JSON.stringify({ token: TEST_OPERATOR_TOKEN }),
  });
  expect(response.status).toBe(200);
  return response.headers.get("set-cookie")!;
}

/** Every asset URL the page names: script and style tags, and the chunk URLs in its inline flight data. */
function assetUrls(html: string): string[] {
  const tags = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
  const flight = [...html.matchAll(/\\"(\/[^"\\]*_next\/static\/[^"\\]+)\\"/g)].map((match) => match[1]!);
  return [...tags, ...flight];
}

describe("under a base path (HIVE_BASE_PATH=/hive)", () => {
  it("serves the pages with every asset, and its flight data's chunks, under the prefix, and they load", async () => {
    const cookie = (await login()).split(";")[0]!;
    for (const page of ["/login", "/"]) {
      const response = await fetch(`${hive.baseUrl}${page}`, { headers: page === "/" ? { cookie } : {}, redirect: "manual" });
      expect(response.status, page).toBe(200);
      const html = await response.text();
      expect(html).toContain('data-base-path="/hive"');
      const urls = assetUrls(html);
      expect(urls.filter((url) => url.includes("/_next/static/")).length).toBeGreaterThan(3);
      for (const url of urls) expect(url, `${page} names ${url}`).toMatch(/^\/hive\//);
      for (const url of new Set(urls)) {
        const asset = await fetch(`${root.baseUrl}${url}`);
        expect(asset.status, url).toBe(200);
        await asset.arrayBuffer();
      }
      // The bundler's runtime loads later chunks from the prefix too.
      expect(html).toContain('self.TURBOPACK_CHUNK_BASE_PATH="/hive/_next/"');
    }
  });

  it("redirects the bare prefix, answers 404 JSON outside it, and keeps the probes at the root for the kubelet", async () => {
    const bare = await fetch(`${root.baseUrl}/hive?x=1`, { redirect: "manual" });
    expect(bare.status).toBe(308);
    expect(bare.headers.get("location")).toBe("/hive/?x=1");
    for (const outside of ["/api/state", "/login", "/_next/static/chunks/x.js", "/hivex/api/state"]) {
      const response = await fetch(`${root.baseUrl}${outside}`, { headers: { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` } });
      expect(response.status, outside).toBe(404);
      expect(await response.json()).toEqual({ error: { code: "not_found", message: "this dashboard is served under /hive/" } });
    }
    for (const probe of ["/dashboard-healthz", "/hive/dashboard-healthz"]) {
      expect((await fetch(`${root.baseUrl}${probe}`)).status, probe).toBe(200);
    }
    for (const probe of ["/dashboard-livez", "/hive/dashboard-livez"]) {
      const response = await fetch(`${root.baseUrl}${probe}`);
      expect(response.status, probe).toBe(200);
      expect(await response.json()).toMatchObject({ status: "alive" });
    }
  });

  it("logs in and out under the prefix: the cookie is scoped to it, and a page without a session goes to its login", async () => {
    const setCookie = await login();
    expect(setCookie).toMatch(/^hive_session=ses_[^;]+; Path=\/hive; HttpOnly; SameSite=Strict; Expires=/);
    expect(setCookie).not.toContain("Secure"); // the public URL is http
    const cookie = setCookie.split(";")[0]!;
    const page = await fetch(`${hive.baseUrl}/`, { redirect: "manual" });
    expect(page.status).toBe(307);
    expect(page.headers.get("location")).toBe("/hive/login");
    const loginPage = await fetch(`${hive.baseUrl}/login`, { headers: { cookie }, redirect: "manual" });
    expect(loginPage.headers.get("location")).toBe("/hive/");
    const logout = await fetch(`${hive.baseUrl}/api/session`, { method: "DELETE", headers: { cookie, origin: root.baseUrl } });
    expect(logout.status).toBe(200);
    expect(logout.headers.get("set-cookie")).toBe("hive_session=; Path=/hive; HttpOnly; SameSite=Strict; Max-Age=0");
    expect((await fetch(`${hive.baseUrl}/api/state`, { headers: { cookie } })).status).toBe(401);
  });

  it("streams events under the prefix, uncompressed, unbuffered by proxies", async () => {
    const controller = new AbortController();
    const response = await fetch(`${hive.baseUrl}/api/stream`, {
      headers: { authorization: `Bearer ${TEST_OPERATOR_TOKEN}`, "accept-encoding": "gzip, deflate, br" },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-encoding")).toBeNull();
    expect(response.headers.get("x-accel-buffering")).toBe("no");
    expect(response.headers.get("cache-control")).toContain("no-transform");
    const events = await readEvents(response, (seen) => seen.some((event) => event.event === "ready"));
    expect(events.map((event) => event.event)).toContain("ready");
    controller.abort();
  });

  it("gives spawned agents an HIVE_API_URL under the prefix, where their token works", async () => {
    const name = `${prefix}-api`;
    await spawnAgent(hive, name);
    const env = (await engineState(name))!.env;
    expect(env).toContain(`HIVE_API_URL=http://127.0.0.1:${root.port}/hive`);
    const minted = await mintAgentToken(hive, name);
    const inbox = await agentFetch(hive, minted.token, "/api/agent/inbox");
    expect(inbox.status).toBe(200);
    const state = await operatorFetch(hive, "/api/state");
    expect(state.status).toBe(200);
  });
});
