import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentPrefix, cleanupAgents, engineState, eventually } from "../helpers/docker";
import { type EngineProxy, startEngineProxy } from "../helpers/engine-proxy";
import { dashboardState, operatorFetch, type ServerProcess, spawnAgent, startServer, viewOf } from "../helpers/server";

const prefix = agentPrefix();
const name = `${prefix}-slow`;
/** The engine takes the lifecycle calls (and acts on them) but its answers never come: a slow or wedged engine. */
const LIFECYCLE = /^POST (\/v[\d.]+)?\/containers\/[^/]+\/(start|stop|restart|kill)\b/;

let proxy: EngineProxy;
let server: ServerProcess;

beforeAll(async () => {
  proxy = await startEngineProxy();
  // 5 s: long enough for a start on a crowded machine, short enough for the test.
  server = await startServer({ DOCKER_HOST: proxy.dockerHost, HIVE_RUNTIME_ACTION_TIMEOUT_MS: "5000" });
  await spawnAgent(server, name);
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await proxy?.close();
  await cleanupAgents(prefix);
});

const act = (verb: string, body: unknown = {}) => operatorFetch(server, `/api/agents/${name}/${verb}`, { method: "POST", body: JSON.stringify(body) });

describe("a slow engine", () => {
  it("answers reads from the picture, times actions out with 504 engine_timeout and frees their slot; a later action works once it answers", async () => {
    proxy.hang(LIFECYCLE);
    const restart = await act("restart", { timeoutSeconds: 1 });
    expect(restart.status).toBe(504);
    const refused = (await restart.json()) as { error: { code: string; message: string } };
    expect(refused.error.code).toBe("engine_timeout");
    expect(refused.error.message).toMatch(/container engine did not answer the restart within 6 s/);
    expect(proxy.requests().some((line) => LIFECYCLE.test(line) && line.includes("/restart"))).toBe(true);

    // The page keeps answering from the fleet picture while the engine holds its answers.
    const state = await dashboardState(server);
    expect(state.containers?.map((container) => container.name)).toContain(name);
    // The slot is free: no pill, and the next action is not refused as in flight but times out on its own.
    expect((await viewOf(server, name))?.pending).toBeNull();
    expect(state.activity).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "action_failed", agent: name, detail: expect.objectContaining({ action: "restart", error: expect.stringMatching(/did not answer/) }) }),
      ]),
    );
    const kill = await act("kill");
    expect(kill.status).toBe(504);
    expect(((await kill.json()) as { error: { code: string } }).error.code).toBe("engine_timeout");
    expect((await viewOf(server, name))?.pending).toBeNull();
    // The audit says what the operator was answered.
    const { entries } = (await (await operatorFetch(server, "/api/audit?limit=20")).json()) as { entries: { action: string; target: string | null; status: number; errorCode: string | null }[] };
    const timedOut = entries.filter((entry) => entry.target === name && entry.status === 504).map((entry) => [entry.action, entry.errorCode]);
    expect(timedOut.sort()).toEqual([["agent.kill", "engine_timeout"], ["agent.restart", "engine_timeout"]]);

    // The engine answers again: the agent acts as asked.
    proxy.release();
    const start = await act("start");
    expect(start.status, await start.clone().text()).toBe(200);
    expect(((await start.json()) as { agent: unknown }).agent).toMatchObject({ state: "running", desiredState: "running" });
    await eventually(async () => (await engineState(name))?.status === "running", "the agent to run again");
    const stop = await act("stop", { timeoutSeconds: 1 });
    expect(stop.status, await stop.clone().text()).toBe(200);
    expect(((await stop.json()) as { agent: unknown }).agent).toMatchObject({ state: "exited", desiredState: "stopped" });
    expect((await engineState(name))?.status).toBe("exited");
  }, 120_000);
});
