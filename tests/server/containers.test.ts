import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentPrefix, bootCount, cleanupAgents, containerLines, docker, engineState, eventually } from "../helpers/docker";
import { readEvents, type SseMessage } from "../helpers/sse";
import { operatorFetch, type ServerProcess, spawnAgent, startServer, viewOf } from "../helpers/server";

let server: ServerProcess;
const prefix = agentPrefix();

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
  await cleanupAgents(prefix);
});

const act = (name: string, action: string, body: unknown = {}) =>
  operatorFetch(server, `/api/agents/${name}/${action}`, { method: "POST", body: JSON.stringify(body) });

describe("lifecycle actions against the real engine", () => {
  it("spawns an agent with its state volume, a working token and the API address in its env", async () => {
    const name = `${prefix}-spawn`;
    const agent = await spawnAgent(server, name, { network: "host", env: { GREETING: "hello" } });
    expect(agent).toMatchObject({ name, state: "running", desiredState: "running", pending: null });
    const engine = (await engineState(name))!;
    expect(engine.status).toBe("running");
    const env = Object.fromEntries(engine.env.map((entry) => entry.split(/=(.*)/s).slice(0, 2)));
    expect(env).toMatchObject({ GREETING: "hello", HIVE_API_URL: server.baseUrl, HIVE_MCP_URL: `${server.baseUrl}/api/agent/mcp`, HIVE_AGENT_NAME: name, HIVE_AGENT_ROLE: "agent" });
    expect(env.HIVE_AGENT_TOKEN).toMatch(/^hive_ag_/);
    const self = await fetch(`${server.baseUrl}/api/agent/agents/${name}`, { headers: { authorization: `Bearer ${env.HIVE_AGENT_TOKEN}` } });
    expect(self.status).toBe(200);
    const volume = await docker.getVolume(`hive-state-${name}`).inspect();
    expect(volume.Labels).toMatchObject({ "hive.state": name, "hive.managed-by": "hive-dashboard" });
    const again = await operatorFetch(server, "/api/agents", { method: "POST", body: JSON.stringify({ name, image: "hive-test-agent:latest" }) });
    expect(again.status).toBe(409);
  });

  it("starts, stops, restarts and kills, each also from the state where it is a no-op", async () => {
    const name = `${prefix}-life`;
    await spawnAgent(server, name);
    const firstStart = (await engineState(name))!.startedAt;

    const startRunning = await act(name, "start");
    expect(startRunning.status).toBe(200);
    expect((await startRunning.json()).agent).toMatchObject({ state: "running", desiredState: "running" });
    expect((await engineState(name))!.startedAt).toBe(firstStart); // nothing happened

    const stopped = await (await act(name, "stop")).json();
    expect(stopped.agent).toMatchObject({ state: "exited", exitCode: 0, desiredState: "stopped", drift: false });
    const stopStopped = await act(name, "stop");
    expect(stopStopped.status).toBe(200);
    expect((await stopStopped.json()).agent).toMatchObject({ state: "exited", exitCode: 0, desiredState: "stopped" });
    expect((await engineState(name))!.status).toBe("exited");

    const started = await (await act(name, "start")).json();
    expect(started.agent).toMatchObject({ state: "running", desiredState: "running" });

    const before = (await engineState(name))!.startedAt;
    const restarted = await (await act(name, "restart")).json();
    expect(restarted.agent.state).toBe("running");
    expect(Date.parse((await engineState(name))!.startedAt)).toBeGreaterThan(Date.parse(before));

    const killed = await (await act(name, "kill")).json();
    expect(killed.agent).toMatchObject({ state: "exited", exitCode: 137, desiredState: "stopped" });
    expect((await act(name, "kill")).status).toBe(200);
    expect(await bootCount(name)).toBe(3);
  });

  it("rebuilds from the stored config with fresh credentials, keeping the state volume", async () => {
    const name = `${prefix}-rebuild`;
    await spawnAgent(server, name, { env: { KEEP: "me" } });
    await eventually(async () => (await bootCount(name)) === 1, "first boot");
    const before = (await engineState(name))!;
    const oldToken = before.env.find((entry) => entry.startsWith("HIVE_AGENT_TOKEN="))!.split("=")[1]!;

    const response = await act(name, "rebuild");
    expect(response.status).toBe(200);
    const after = (await engineState(name))!;
    expect(after.id).not.toBe(before.id);
    expect(after.status).toBe("running");
    expect(after.env).toContain("KEEP=me");
    const newToken = after.env.find((entry) => entry.startsWith("HIVE_AGENT_TOKEN="))!.split("=")[1]!;
    expect(newToken).not.toBe(oldToken);
    const asAgent = (token: string) => fetch(`${server.baseUrl}/api/agent/agents/${name}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await asAgent(oldToken)).status).toBe(401);
    expect((await asAgent(newToken)).status).toBe(200);
    await eventually(async () => (await bootCount(name)) === 2, "the boot counter continuing in the kept volume");
    const listed = await docker.listContainers({ all: true, filters: { label: [`hive.agent=${name}`] } });
    expect(listed).toHaveLength(1); // the replaced container is gone
  });

  it("destroys keeping the state volume, and purges it", async () => {
    const kept = `${prefix}-tomb`;
    const purged = `${prefix}-gone`;
    await spawnAgent(server, kept);
    await spawnAgent(server, purged);

    const destroyed = await operatorFetch(server, `/api/agents/${kept}`, { method: "DELETE" });
    expect(await destroyed.json()).toEqual({ name: kept, destroyed: true, purged: false });
    expect(await engineState(kept)).toBeNull();
    await docker.getVolume(`hive-state-${kept}`).inspect();
    expect(await viewOf(server, kept)).toBeUndefined();

    const purge = await operatorFetch(server, `/api/agents/${purged}?purge=true`, { method: "DELETE" });
    expect(purge.status).toBe(200);
    expect(await engineState(purged)).toBeNull();
    await expect(docker.getVolume(`hive-state-${purged}`).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect((await operatorFetch(server, `/api/agents/${purged}`, { method: "DELETE" })).status).toBe(404);
  });

  it("answers unknown agents, bad names and unknown images clearly, leaving nothing behind", async () => {
    const ghost = await act(`${prefix}-ghost`, "restart");
    expect(ghost.status).toBe(404);
    expect((await ghost.json()).error.code).toBe("agent_not_found");

    for (const bad of ["%2e%2e", "UPPER", "a_b", "-lead", "x".repeat(41), "a b", "name;rm"]) {
      const response = await act(encodeURIComponent(bad), "start");
      expect(response.status, bad).toBe(400);
      expect((await response.json()).error.code).toBe("invalid_request");
    }
    // A raw ".." never reaches a handler: the URL is normalised away from the agents routes, to a page that is not there.
    expect((await act("..", "start")).status).toBe(404);

    const name = `${prefix}-noimage`;
    const response = await operatorFetch(server, "/api/agents", {
      method: "POST",
      body: JSON.stringify({ name, image: "hive-no-such-image:never" }),
    });
    expect(response.status).toBe(404);
    expect((await response.json()).error).toMatchObject({ code: "image_not_found", message: expect.stringContaining("No such image") });
    expect(await engineState(name)).toBeNull();
    await expect(docker.getVolume(`hive-state-${name}`).inspect()).rejects.toMatchObject({ statusCode: 404 });
    const tokens = await (await operatorFetch(server, `/api/agent-tokens?agent=${name}`)).json();
    expect(tokens.tokens.every((token: { revokedAt: string | null }) => token.revokedAt !== null)).toBe(true);
    expect((await operatorFetch(server, "/api/agents", { method: "POST", body: JSON.stringify({ name, image: "x", env: { HIVE_AGENT_TOKEN: "forged" } }) })).status).toBe(400);
  });

  it("runs one action per agent: concurrent requests get 409 action_in_flight naming the action and who started it", async () => {
    const name = `${prefix}-race`;
    await spawnAgent(server, name, { env: { AGENT_STOP_DELAY_S: "2" } });
    await eventually(async () => (await bootCount(name)) === 1, "first boot");
    const responses = await Promise.all(Array.from({ length: 10 }, () => act(name, "restart")));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, ...Array(9).fill(409)]);
    const conflicts = await Promise.all(responses.filter((response) => response.status === 409).map((response) => response.json()));
    for (const { error } of conflicts) {
      expect(error).toMatchObject({ code: "action_in_flight", action: "restart", startedBy: "operator" });
      expect(error.message).toMatch(new RegExp(`^restart of ${name} is already in progress \\(started by operator at `));
    }
    await eventually(async () => (await bootCount(name)) === 2, "exactly one restart");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await bootCount(name)).toBe(2);
    const clear = await operatorFetch(server, `/api/agents/${name}/transient`, { method: "DELETE" });
    expect(clear.status).toBe(404); // nothing in flight any more
  });

  it("refuses to clear an in-flight pill that is still within its deadline", async () => {
    const name = `${prefix}-slow`;
    await spawnAgent(server, name, { env: { AGENT_STOP_DELAY_S: "3" } });
    await eventually(async () => (await bootCount(name)) === 1, "first boot");
    const stopping = act(name, "stop");
    await eventually(async () => (await viewOf(server, name))?.pending?.kind === "stopping", "the stopping pill");
    const clear = await operatorFetch(server, `/api/agents/${name}/transient`, { method: "DELETE" });
    expect(clear.status).toBe(409);
    expect((await stopping).status).toBe(200);
  });
});

describe("crash watch and recovery", () => {
  it("records a crash made outside the dashboard with its exit code and last lines, then restarts the agent", async () => {
    const name = `${prefix}-crash`;
    await spawnAgent(server, name);
    await eventually(async () => (await containerLines(name)).some((line) => line.endsWith("line 2")), "a few log lines");
    await docker.getContainer(`hive-${name}`).kill({ signal: "SIGKILL" });

    // On a busy engine the last lines may follow the record by a moment.
    const crashes = await eventually(async () => {
      const { crashes } = await (await operatorFetch(server, `/api/agents/${name}/crashes`)).json();
      return crashes.length === 1 && crashes[0].lastLines.length > 0 ? crashes : null;
    }, "the crash record with its last lines");
    expect(crashes[0]).toMatchObject({ exitCode: 137, oomKilled: false, outcome: "restart_scheduled" });
    expect(crashes[0].lastLines.map((line: { text: string }) => line.text)).toEqual(expect.arrayContaining([`[${name}] line 2`]));

    await eventually(async () => (await engineState(name))?.status === "running" && (await bootCount(name)) === 2, "the restart after 1 s");
    // The page's picture follows the engine's events: it may take a moment to say running again.
    const view = await eventually(async () => {
      const current = await viewOf(server, name);
      return current?.state === "running" && current.nextRestartAt === null ? current : null;
    }, "the page showing the recovered agent");
    expect(view).toMatchObject({ crashes: { total: 1, last: { exitCode: 137 } } });
  });

  it("marks an agent that keeps crashing as crash-looping and stops restarting it until an operator acts", { timeout: 120_000 }, async () => {
    const name = `${prefix}-loop`;
    await spawnAgent(server, name, { env: { AGENT_EXIT_AFTER_S: "1", AGENT_EXIT_CODE: "3" } });
    const looping = await eventually(async () => {
      const view = await viewOf(server, name);
      return view?.crashLoopingSince ? view : null;
    }, "crash-looping", 90_000);
    expect(looping.crashes.total).toBe(5);
    expect(looping.crashes.last).toMatchObject({ exitCode: 3, outcome: "crash_looping" });
    const boots = await bootCount(name);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await bootCount(name)).toBe(boots); // no more automatic restarts
    expect((await engineState(name))!.status).toBe("exited");

    const started = await (await act(name, "start")).json();
    expect(started.agent.crashLoopingSince).toBeNull();
  });

  it("records an out-of-memory kill as such", async () => {
    const name = `${prefix}-hungry`;
    const response = await operatorFetch(server, "/api/agents", {
      method: "POST",
      body: JSON.stringify({ name, image: "hive-test-agent:latest", network: "none", memoryMb: 16, env: { AGENT_EAT_MB: "64" } }),
    });
    expect(response.status).toBe(201);
    const crashes = await eventually(async () => {
      const body = await (await operatorFetch(server, `/api/agents/${name}/crashes`)).json();
      return body.crashes.length > 0 && body.crashes.at(-1).lastLines.length > 0 ? body.crashes : null;
    }, "the crash record with its last lines");
    expect(crashes.at(-1)).toMatchObject({ exitCode: 137, oomKilled: true });
    expect(crashes.at(-1).lastLines.map((line: { text: string }) => line.text)).toContain(`[${name}] allocating 64 MB`);
    await act(name, "stop"); // end the crash loop
  });

  it("leaves an agent the operator stopped alone", async () => {
    const name = `${prefix}-stopped`;
    await spawnAgent(server, name);
    await act(name, "stop");
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect((await engineState(name))!.status).toBe("exited");
    const { crashes } = await (await operatorFetch(server, `/api/agents/${name}/crashes`)).json();
    expect(crashes).toEqual([]);
  });
});

describe("live view", () => {
  it("answers 304 for an unchanged state and streams change notices over SSE", async () => {
    const first = await operatorFetch(server, "/api/state");
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^".+"$/);
    await first.json();
    const second = await operatorFetch(server, "/api/state", { headers: { "if-none-match": etag } });
    expect([200, 304]).toContain(second.status); // 200 only if something changed in between
    const unchanged = await eventually(async () => {
      const tag = (await operatorFetch(server, "/api/state")).headers.get("etag");
      const again = await operatorFetch(server, "/api/state", { headers: { "if-none-match": tag! } });
      return again.status === 304 ? again : null;
    }, "a 304 for an unchanged state");
    expect(unchanged.headers.get("x-server-time")).toMatch(/^\d{4}-/);

    const name = `${prefix}-live`;
    await spawnAgent(server, name);
    const controller = new AbortController();
    const stream = await operatorFetch(server, "/api/stream", { signal: controller.signal });
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    expect(stream.headers.get("cache-control")).toBe("no-cache, no-transform");
    const notices = (events: SseMessage[]) => events.filter((event) => event.event === "change").map((event) => JSON.parse(event.data) as { kind: string; agent: string });
    const reading = readEvents(stream, (events) => notices(events).some((notice) => notice.kind === "action_finished" && notice.agent === name));
    await act(name, "restart");
    const events = await reading;
    expect(events[0]?.event).toBe("ready");
    expect(notices(events)).toContainEqual(expect.objectContaining({ kind: "action_started", agent: name }));
    controller.abort();
  });
});
