import util from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerRuntime } from "@/server/runtime/docker/driver";
import { agentPrefix, cleanupAgents, eventually, TEST_IMAGE } from "../helpers/docker";
import { operatorFetch, type ServerProcess, spawnAgent, startServer, TEST_OPERATOR_TOKEN } from "../helpers/server";

const prefix = agentPrefix();
let server: ServerProcess;

beforeAll(async () => {
  server = await startServer({ HIVE_LOG_FOLLOWS_PER_CLIENT: "3", HIVE_TRUSTED_PROXIES: "127.0.0.1" });
});
afterAll(async () => {
  await server?.stop();
  await cleanupAgents(prefix);
});

describe("[FOLLOWS] many open log follows", () => {
  // 60 follows opening at once kept /dashboard-healthz waiting 7-60 s: docker-modem formats each request's
  // options (for a debug log that is off) with every socket of the streaming client's agent, on the main thread.
  // How fast the probe answers is a bench figure (npm run bench journal); this checks the cause stays gone.
  it("does not make each engine call format every open follow's socket", async () => {
    const runtime = new DockerRuntime({ dockerHost: "unix:///var/run/docker.sock", restartPolicy: "no", probeTimeoutMs: 3_000, installation: `test-follows-${process.pid}` });
    const name = `${prefix}-many`;
    await runtime.createAgent({ name, image: TEST_IMAGE, env: {}, network: "none" });
    await runtime.startAgent(name);
    const inspect = util.inspect;
    let longest = 0;
    const follows = new AbortController();
    try {
      const opened = Array.from({ length: 30 }, () => runtime.followLogs(name, { stdout: true, stderr: false }, follows.signal));
      const reading = opened.map(async (lines) => {
        for await (const _line of lines) {
          // drain
        }
      });
      await eventually(async () => runtime.openLogStreams()[name] === 30, "30 engine log streams open");
      util.inspect = ((value: unknown, options?: util.InspectOptions) => {
        const text = inspect(value, options);
        if (options?.showHidden && options.depth === null) longest = Math.max(longest, text.length);
        return text;
      }) as typeof util.inspect;
      const one = runtime.followLogs(name, { stdout: true, stderr: false }, follows.signal);
      reading.push((async () => { for await (const _line of one) { /* drain */ } })());
      await eventually(async () => runtime.openLogStreams()[name] === 31, "the 31st stream open");
      expect(longest).toBeGreaterThan(0); // the library did format the request
      expect(longest).toBeLessThan(2_000); // ... without the 30 open sockets (hundreds of kilobytes before)
      follows.abort();
      await Promise.allSettled(reading);
    } finally {
      util.inspect = inspect;
      follows.abort();
      await runtime.removeAgent(name).catch(() => undefined);
    }
  });

  it("holds each client to HIVE_LOG_FOLLOWS_PER_CLIENT open follows with a clear 429, and frees the slot when one closes", async () => {
    const name = `${prefix}-tail`;
    await spawnAgent(server, name);
    const follow = (client: string, signal?: AbortSignal) =>
      fetch(`${server.baseUrl}/api/agents/${name}/logs/stream`, {
        headers: { authorization: `Bearer ${TEST_OPERATOR_TOKEN}`, "x-forwarded-for": client },
        signal,
      });
    const first = new AbortController();
    const open = [await follow("203.0.113.30", first.signal), await follow("203.0.113.30"), await follow("203.0.113.30")];
    expect(open.map((response) => response.status)).toEqual([200, 200, 200]);
    const refused = await follow("203.0.113.30");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toMatch(/^application\/json/);
    expect((await refused.json()).error).toEqual({
      code: "too_many_streams",
      message: "this client already holds 3 log follows open (the limit is 3, HIVE_LOG_FOLLOWS_PER_CLIENT); close one first",
      limit: 3,
    });
    // Another client is not affected.
    const other = await follow("198.51.100.30");
    expect(other.status).toBe(200);
    // Closing a follow gives its slot back.
    first.abort();
    const again = await eventually(async () => {
      const response = await follow("203.0.113.30");
      if (response.status === 200) return response;
      await response.body?.cancel();
      return null;
    }, "a slot to come free");
    for (const response of [...open.slice(1), other, again]) await response.body?.cancel();
    const diagnostics = async () => ((await (await operatorFetch(server, "/api/diagnostics")).json()) as { runtime: { openLogStreams: Record<string, number> } }).runtime.openLogStreams;
    await eventually(async () => !(name in (await diagnostics())), "every engine stream closed");
  });
});
