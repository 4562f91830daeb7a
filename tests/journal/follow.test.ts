import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnTestAgent, waitForEngine } from "../helpers/agents";
import { readEvents } from "../helpers/sse";
import { agentPrefix, cleanupAgents, docker, eventually } from "../helpers/docker";
import { type EngineProxy, startEngineProxy } from "../helpers/engine-proxy";
import { ensureTestImage } from "../helpers/test-image";
import { operatorFetch, type ServerProcess, startServer } from "../helpers/server";

type Line = { stream: "stdout" | "stderr"; text: string; timestamp: string };

const prefix = agentPrefix();
const ticker = `${prefix}-tick`;
let server: ServerProcess;
let proxy: EngineProxy;
let containerId: string;

async function openLogStreams(): Promise<Record<string, number>> {
  const response = await operatorFetch(server, "/api/diagnostics");
  expect(response.status).toBe(200);
  return ((await response.json()) as { runtime: { openLogStreams: Record<string, number> } }).runtime.openLogStreams;
}

const lineNumber = (line: { text: string }) => Number(/ line (\d+)$/.exec(line.text)?.[1] ?? Number.NaN);
const linesOf = (events: { event: string; data: string }[]) =>
  events.filter((event) => event.event === "lines").flatMap((event) => (JSON.parse(event.data) as { lines: Line[] }).lines);
const lastCursorOf = (events: { event: string; data: string }[]) =>
  (JSON.parse(events.filter((event) => event.event === "lines").at(-1)!.data) as { cursor: string }).cursor;

beforeAll(async () => {
  // The image is shared with other checkouts, which may have rebuilt it without the switches these tests use.
  await ensureTestImage();
  proxy = await startEngineProxy();
  server = await startServer({ DOCKER_HOST: proxy.dockerHost });
  await waitForEngine(server);
  containerId = (await spawnTestAgent(server, ticker, { AGENT_TICK_S: "0.2" })).containerId;
});
afterAll(async () => {
  await server?.stop();
  await proxy?.close();
  await cleanupAgents(prefix);
});

describe("GET /api/agents/:name/logs/stream", () => {
  it("continues from the reader's cursor with no gap and no repeat, and closes the engine stream when the client goes away", async () => {
    await eventually(async () => {
      const body = (await (await operatorFetch(server, `/api/agents/${ticker}/logs?lines=5`)).json()) as { lines: Line[] };
      return body.lines.length === 5 && body.lines.every((line) => Number.isInteger(lineNumber(line)));
    }, "five tick lines");
    const read = (await (await operatorFetch(server, `/api/agents/${ticker}/logs?lines=5&timestamps=true`)).json()) as {
      lines: Line[];
      cursor: string;
    };
    const lastRead = lineNumber(read.lines.at(-1)!);
    // Let lines pile up between the read and the follow: they must come first, from the cursor, not from "now".
    await new Promise((resolve) => setTimeout(resolve, 700));

    const client = new AbortController();
    const response = await operatorFetch(server, `/api/agents/${ticker}/logs/stream?cursor=${encodeURIComponent(read.cursor)}`, {
      signal: client.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    expect(response.headers.get("cache-control")).toBe("no-cache, no-transform");
    const events = await readEvents(response, (all) => linesOf(all).length >= 8, { keepOpen: true });
    expect(events[0]).toMatchObject({ event: "ready" });
    expect(JSON.parse(events[0]!.data)).toEqual({ containerId });
    const followed = linesOf(events).map(lineNumber);
    expect(followed.slice(0, 8)).toEqual(Array.from({ length: 8 }, (_, index) => lastRead + 1 + index));

    // One engine stream, seen both by the driver's count and by the engine-side connection.
    expect(await openLogStreams()).toEqual({ [ticker]: 1 });
    expect(proxy.openFollowConnections(containerId)).toBe(1);

    client.abort();
    await eventually(async () => Object.keys(await openLogStreams()).length === 0, "the driver to close its engine stream", 5_000);
    await eventually(async () => proxy.openFollowConnections(containerId) === 0, "the engine connection to close", 5_000);

    // A reconnect from the last batch's cursor goes on with the next line: nothing lost, nothing twice.
    const lastFollowed = followed.at(-1)!;
    const again = await operatorFetch(server, `/api/agents/${ticker}/logs/stream?cursor=${encodeURIComponent(lastCursorOf(events))}`);
    const resumed = linesOf(await readEvents(again, (all) => linesOf(all).length >= 3)).map(lineNumber);
    expect(resumed.slice(0, 3)).toEqual([lastFollowed + 1, lastFollowed + 2, lastFollowed + 3]);
  });

  it("closes every engine stream when many clients come and go, also ones that leave before the first line", async () => {
    const clients = Array.from({ length: 6 }, () => new AbortController());
    const responses = await Promise.all(
      clients.map((client) => operatorFetch(server, `/api/agents/${ticker}/logs/stream?source=all`, { signal: client.signal })),
    );
    for (const response of responses) expect(response.status).toBe(200);
    await eventually(async () => (await openLogStreams())[ticker] === 6, "six engine streams");
    expect(proxy.openFollowConnections(containerId)).toBe(6);
    for (const client of clients) client.abort();
    await eventually(async () => Object.keys(await openLogStreams()).length === 0 && proxy.openFollowConnections(containerId) === 0, "all of them closed", 5_000);
  });

  it("ends with `end` when the container stops, and holds no engine stream afterwards", async () => {
    const name = `${prefix}-stops`;
    const spawned = await spawnTestAgent(server, name, { AGENT_TICK_S: "0.2" });
    const client = new AbortController();
    const response = await operatorFetch(server, `/api/agents/${name}/logs/stream`, { signal: client.signal });
    const waiting = readEvents(response, (all) => all.at(-1)?.event === "end" || all.at(-1)?.event === "error", { timeoutMs: 20_000 });
    await eventually(async () => (await openLogStreams())[name] === 1, "the follow stream to open");
    await docker.getContainer(spawned.containerId).stop({ t: 5 });
    const events = await waiting;
    expect(events.at(-1)).toMatchObject({ event: "end", data: JSON.stringify({ reason: "container_stopped" }) });
    // Lines printed up to the stop (the agent's goodbye) came through before the end.
    expect(linesOf(events).map((line) => line.text)).toContain(`[${name}] SIGTERM received, exiting cleanly`);
    await eventually(async () => !(name in (await openLogStreams())), "the driver to count no stream", 5_000);
    await eventually(async () => proxy.openFollowConnections(spawned.containerId) === 0, "the engine connection to close", 5_000);
    client.abort();
  });

  it("validates before the stream opens: unknown agents are 404, bad cursors and sources 400, plain JSON", async () => {
    const unknown = await operatorFetch(server, `/api/agents/${prefix}-nobody/logs/stream`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe("agent_not_found");
    for (const query of ["source=stderr", "cursor=", "cursor=not%20a%20cursor", "cursor=d9.1.1", "cursor=d1.1700000000000000000.x", "since=0", "after=2024-01-01T00:00:00Z"]) {
      const response = await operatorFetch(server, `/api/agents/${ticker}/logs/stream?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.headers.get("content-type")).toContain("application/json");
    }
    expect((await fetch(`${server.baseUrl}/api/agents/${ticker}/logs/stream`)).status).toBe(401);
    expect(Object.keys(await openLogStreams())).toEqual([]);
  });
});
