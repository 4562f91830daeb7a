import { afterAll, describe, expect, it } from "vitest";
import { agentPrefix, cleanupAgents, engineState, eventually } from "../helpers/docker";
import { startEngineProxy } from "../helpers/engine-proxy";
import { dashboardState, operatorFetch, spawnAgent, startServer } from "../helpers/server";

const prefix = agentPrefix();
afterAll(() => cleanupAgents(prefix));

/** The fleet watcher's full list (the reconcile poll), as opposed to one agent's lookup by its label value. */
const FULL_LIST = /^GET (\/v[\d.]+)?\/containers\/json\?.*"label":\["hive\.agent"\]/;
const HELD_MS = 3_000;

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
});
