import { afterAll, describe, expect, it } from "vitest";
import { agentPrefix, cleanupAgents, containerLines, docker, engineState, eventually } from "../helpers/docker";
import { startEngineProxy } from "../helpers/engine-proxy";
import { dashboardState, operatorFetch, spawnAgent, startServer } from "../helpers/server";

const prefix = agentPrefix();
afterAll(() => cleanupAgents(prefix));

/** The fleet watcher's full list (the reconcile poll), as opposed to one agent's lookup by its label value. */
const FULL_LIST = /^GET (\/v[\d.]+)?\/containers\/json\?.*"label":\["hive\.agent"\]/;
const HELD_MS = 3_000;
/** One container's inspect (the list is /containers/json, without an id). */
const INSPECT = /^GET (\/v[\d.]+)?\/containers\/[^/?]+\/json/;
/** A read of one container's log. */
const LOGS = /^GET (\/v[\d.]+)?\/containers\/[^/?]+\/logs\?/;

describe("the dashboard's live picture of the fleet", () => {
  it("a reconcile poll already on its way does not bring back an agent destroyed meanwhile", async () => {
    const proxy = await startEngineProxy();
    const server = await startServer({ DOCKER_HOST: proxy.dockerHost });
    try {
      const name = `${prefix}-gone`;
      await spawnAgent(server, name);
      // A slow engine: the poll's full list is answered 3 s after it was asked for.
      proxy.delayResponses(FULL_LIST, HELD_MS);
      const mark = proxy.requests().length;
      await eventually(async () => proxy.requests().slice(mark).some((line) => FULL_LIST.test(line)), "a reconcile poll to ask for the full list", 15_000);
      const askedAt = Date.now();

      // While that list is held, the operator destroys the agent; the list still names it when it arrives.
      const destroyed = await operatorFetch(server, `/api/agents/${name}`, { method: "DELETE" });
      expect(destroyed.status).toBe(200);
      expect(await engineState(name)).toBeNull();
      expect(Date.now() - askedAt).toBeLessThan(HELD_MS);
      await new Promise((resolve) => setTimeout(resolve, HELD_MS + 500 - (Date.now() - askedAt)));

      const { containers } = await dashboardState(server);
      expect(containers?.map((container) => container.name)).not.toContain(name);
    } finally {
      await server.stop();
      await proxy.close();
    }
  });

  it("records a crash from the engine's die event while the engine still holds back its inspect of the container", async () => {
    const proxy = await startEngineProxy();
    const server = await startServer({ DOCKER_HOST: proxy.dockerHost });
    try {
      const name = `${prefix}-slow-inspect`;
      await spawnAgent(server, name);
      await eventually(async () => (await containerLines(name)).some((line) => line.endsWith("line 1")), "a log line");
      // A busy engine answers an inspect of a dead container only once it has cleaned it up: here, 8 s later.
      const heldMs = 8_000;
      proxy.delayResponses(INSPECT, heldMs);
      const killedAt = Date.now();
      await docker.getContainer(`hive-${name}`).kill({ signal: "SIGKILL" });

      const crashes = await eventually(async () => {
        const body = await (await operatorFetch(server, `/api/agents/${name}/crashes`)).json();
        return body.crashes.length > 0 && body.crashes[0].lastLines.length > 0 ? body.crashes : null;
      }, "the crash record, from the event alone", heldMs - 3_000);
      expect(Date.now() - killedAt).toBeLessThan(heldMs);
      expect(crashes).toHaveLength(1);
      expect(crashes[0]).toMatchObject({ exitCode: 137, oomKilled: false, outcome: "restart_scheduled" });
      expect(crashes[0].lastLines.map((line: { text: string }) => line.text)).toContain(`[${name}] line 1`);
    } finally {
      await server.stop();
      await proxy.close();
    }
  });

  it("records a crash at once while the engine holds back its last lines, and adds them when they come", async () => {
    const proxy = await startEngineProxy();
    const server = await startServer({ DOCKER_HOST: proxy.dockerHost });
    try {
      const name = `${prefix}-slow-lines`;
      await spawnAgent(server, name);
      await eventually(async () => (await containerLines(name)).some((line) => line.endsWith("line 1")), "a log line");
      const heldMs = 5_000;
      proxy.delayResponses(LOGS, heldMs);
      const killedAt = Date.now();
      await docker.getContainer(`hive-${name}`).kill({ signal: "SIGKILL" });

      const crashes = async () => (await (await operatorFetch(server, `/api/agents/${name}/crashes`)).json()).crashes;
      const [recorded] = await eventually(async () => {
        const list = await crashes();
        return list.length > 0 ? list : null;
      }, "the crash record, before its last lines", heldMs - 2_000);
      expect(Date.now() - killedAt).toBeLessThan(heldMs);
      expect(recorded).toMatchObject({ exitCode: 137, oomKilled: false, lineCount: 0, lastLines: [] });

      const [completed] = await eventually(async () => {
        const list = await crashes();
        return list[0]?.lastLines.length > 0 ? list : null;
      }, "the last lines, once the engine answers", heldMs + 10_000);
      expect(completed.id).toBe(recorded.id);
      expect(completed.lineCount).toBe(completed.lastLines.length);
      expect(completed.lastLines.map((line: { text: string }) => line.text)).toContain(`[${name}] line 1`);
      // The page's state says so too: the agent's crash history is fetched again.
      const { containers } = await dashboardState(server);
      expect(containers?.find((container) => container.name === name)?.crashes.last).toMatchObject({ id: recorded.id, lineCount: completed.lineCount });
    } finally {
      await server.stop();
      await proxy.close();
    }
  });
});
