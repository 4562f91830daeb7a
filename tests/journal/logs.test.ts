import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnTestAgent, waitForEngine } from "../helpers/agents";
import { agentPrefix, cleanupAgents, eventually } from "../helpers/docker";
import { type EngineProxy, startEngineProxy } from "../helpers/engine-proxy";
import { ensureTestImage } from "../helpers/test-image";
import { operatorFetch, type ServerProcess, startServer } from "../helpers/server";

type LogsBody = {
  agent: string;
  source: "agent" | "all";
  requested: number;
  lines: { stream: "stdout" | "stderr"; text: string; timestamp: string | null }[];
  cursor: string;
};

const prefix = agentPrefix();
const burst = `${prefix}-burst`;
const noisy = `${prefix}-noisy`;
let server: ServerProcess;
let proxy: EngineProxy;

async function logs(name: string, query = "") {
  const response = await operatorFetch(server, `/api/agents/${name}/logs${query}`);
  return { status: response.status, body: (await response.json()) as LogsBody & { error?: { code: string; message: string; issues?: { path: string }[] } } };
}

beforeAll(async () => {
  // The image is shared with other checkouts, which may have rebuilt it without the switches these tests use.
  await ensureTestImage();
  // The dashboard talks to the engine through a recording proxy: the tests can see what reaches the engine.
  proxy = await startEngineProxy();
  server = await startServer({ DOCKER_HOST: proxy.dockerHost });
  await waitForEngine(server);
  await spawnTestAgent(server, burst, { AGENT_BURST_LINES: "6000", AGENT_LINE_BYTES: "200" });
  await spawnTestAgent(server, noisy, { AGENT_STDERR: "1", AGENT_TICK_S: "0.1" });
  await eventually(async () => (await logs(burst, "?lines=5000")).body.lines?.length === 5000, "the burst in the log", 30_000);
});
afterAll(async () => {
  await server?.stop();
  await proxy?.close();
  await cleanupAgents(prefix);
});

describe("GET /api/agents/:name/logs", () => {
  it("answers the last 200 lines by default, oldest first, without stamps unless asked", async () => {
    const { status, body } = await logs(burst);
    expect(status).toBe(200);
    expect(body).toMatchObject({ agent: burst, source: "agent", requested: 200 });
    expect(body.lines).toHaveLength(200);
    expect(body.lines.every((line) => line.timestamp === null && line.stream === "stdout")).toBe(true);
    const numbers = body.lines.map((line) => Number(/ (?:burst|line) (\d+)/.exec(line.text)?.[1]));
    expect(numbers.every((value) => Number.isInteger(value))).toBe(true);
    // The tail of the log: the newest line is the agent's latest tick.
    expect(body.lines.at(-1)!.text).toMatch(new RegExp(`^\\[${burst}\\] line \\d+$`));

    const stamped = await logs(burst, "?lines=3&timestamps=true");
    expect(stamped.body.lines).toHaveLength(3);
    for (const line of stamped.body.lines) expect(line.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/);
    // The cursor is the engine driver's own (tests/runtime/contract follows on from it; the driver's unit test reads it).
    expect(stamped.body.cursor).toMatch(/^[A-Za-z0-9._~-]+$/);
    expect((await logs(burst, "?lines=3&timestamps=0")).body.lines[0]!.timestamp).toBeNull();
  });

  it("caps lines at 5000 (larger counts are clamped) and refuses anything that is not a whole number", async () => {
    for (const query of ["?lines=5000", "?lines=5001", "?lines=99999999999999999999999"]) {
      const { status, body } = await logs(burst, query);
      expect(status, `${query}: ${JSON.stringify(body).slice(0, 300)}`).toBe(200);
      expect(body.requested).toBe(5000);
      expect(body.lines).toHaveLength(5000);
      expect(body.lines[0]!.text.length).toBeGreaterThan(150); // the long burst lines, whole
    }
    expect((await logs(burst, "?lines=1")).body.lines).toHaveLength(1);
    for (const bad of ["abc", "1e3", "-5", "0", "", "12.5", "0x10", "%2012", "5000;", "[]"]) {
      const { status, body } = await logs(burst, `?lines=${bad}`);
      expect(status, `lines=${bad}`).toBe(400);
      expect(body.error!.code).toBe("invalid_request");
      expect(body.error!.issues!.map((issue) => issue.path)).toContain("lines");
    }
    for (const bad of ["yes", "TRUE", "2"]) expect((await logs(burst, `?timestamps=${bad}`)).status, `timestamps=${bad}`).toBe(400);
    // Unknown parameters are refused rather than ignored.
    expect((await logs(burst, "?tail=10")).status).toBe(400);
  });

  it("reads the log's last lines over both streams: source=all answers them all, source=agent the stdout ones", async () => {
    // 120 lines over both streams, then a stopped agent: a log that no longer moves between the reads below.
    await eventually(async () => (await logs(noisy, "?lines=120&source=all")).body.lines?.length === 120, "120 lines from the noisy agent", 30_000);
    const stopped = await operatorFetch(server, `/api/agents/${noisy}/stop`, { method: "POST" });
    expect(stopped.status, await stopped.clone().text()).toBe(200);

    const all = await logs(noisy, "?lines=40&source=all&timestamps=true");
    expect(all.status).toBe(200);
    expect(all.body.source).toBe("all");
    expect(all.body.lines).toHaveLength(40);
    expect(new Set(all.body.lines.map((line) => line.stream))).toEqual(new Set(["stdout", "stderr"]));
    expect(all.body.lines.filter((line) => line.stream === "stderr").every((line) => / warn \d+$/.test(line.text))).toBe(true);
    for (const line of all.body.lines) expect(line.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/);

    const agent = await logs(noisy, "?lines=40&source=agent&timestamps=true");
    expect(agent.status).toBe(200);
    expect(agent.body).toMatchObject({ source: "agent", requested: 40 });
    expect(agent.body.lines).toEqual(all.body.lines.filter((line) => line.stream === "stdout"));
    expect(agent.body.lines.length).toBeGreaterThan(0);
    expect(agent.body.lines.length).toBeLessThan(40);

    for (const bad of ["stderr", "ALL", "Agent", "all;ls", "<script>", "%00", "", "all%20", "stdout"]) {
      const { status, body } = await logs(noisy, `?source=${bad}`);
      expect(status, `source=${bad}`).toBe(400);
      expect(body.error!.issues!.map((issue) => issue.path)).toContain("source");
    }
  });

  it("answers 404 for names the engine does not know, 400 for hostile names, and never passes either to the engine", async () => {
    const unknown = `${prefix}-nobody`;
    const missing = await logs(unknown);
    expect(missing.status).toBe(404);
    expect(missing.body.error!.code).toBe("agent_not_found");

    const hostile = ["..%2F..%2Fetc%2Fpasswd", "%2e%2e", "UPPER", "a%20b", "name%3Bls", "-lead", "a_b", "x".repeat(41), "%3Cscript%3E", "%E5%90%8D", `${prefix}%00`];
    const before = proxy.requests().length;
    for (const name of hostile) {
      const response = await operatorFetch(server, `/api/agents/${name}/logs`);
      const body = await response.text();
      if (name.includes("%2F") || name === "%2e%2e") {
        // Encoded slashes and dot segments change the path itself: no route matches, the router answers 404.
        expect([400, 404], name).toContain(response.status);
      } else {
        expect(response.status, name).toBe(400);
        expect(JSON.parse(body).error.code).toBe("invalid_request");
      }
    }
    const reached = proxy.requests().slice(before);
    for (const request of reached) {
      for (const fragment of ["passwd", "UPPER", "a b", "name;ls", "<script>", "名"]) expect(request).not.toContain(fragment);
    }
    // The unknown (but well-formed) name was only ever looked up by its label.
    const lookups = proxy.requests().filter((request) => request.includes(unknown));
    expect(lookups.length).toBeGreaterThan(0);
    for (const request of lookups) expect(request).toMatch(/^GET (\/v[\d.]+)?\/containers\/json\?.*"hive\.agent=/);
  });

  it("needs an operator", async () => {
    const response = await fetch(`${server.baseUrl}/api/agents/${burst}/logs`);
    expect(response.status).toBe(401);
  });
});
