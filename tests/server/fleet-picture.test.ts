import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { agentPrefix, cleanupAgents, containerLines, docker, engineState, eventually } from "../helpers/docker";
import { type EngineProxy, startEngineProxy } from "../helpers/engine-proxy";
import { createMigratedDatabase, startPostgres } from "../helpers/postgres";
import { dashboardState, operatorFetch, type ServerProcess, spawnAgent, startServer } from "../helpers/server";

const prefix = agentPrefix();
afterAll(() => cleanupAgents(prefix));

/** The fleet watcher's full list (the reconcile poll, of this installation's agents), as opposed to one agent's lookup by its label value. */
const FULL_LIST = /^GET (\/v[\d.]+)?\/containers\/json\?.*"label":\["hive\.agent"(,"hive\.installation=[^"]+")?\]/;
const HELD_MS = 3_000;
/** How long after an action the crash watch asks the engine for a second look at a death (crash-watch.ts). */
const ACTION_AFTERMATH_MS = 10_000;
/** How many crashed agents the recovery restarts side by side (crash-watch.ts). */
const RECOVERY_CONCURRENCY = 4;
/** One container's inspect (the list is /containers/json, without an id). */
const INSPECT = /^GET (\/v[\d.]+)?\/containers\/[^/?]+\/json/;
/** A container's start. */
const START = /^POST (\/v[\d.]+)?\/containers\/[^/?]+\/start/;
/** A read of one container's log. */
const LOGS = /^GET (\/v[\d.]+)?\/containers\/[^/?]+\/logs\?/;
/** The engine's events stream. */
const EVENTS = /^GET (\/v[\d.]+)?\/events/;

/** Runs `test` against a dashboard whose engine calls pass through a proxy that can hold them back; stops both after. */
async function onProxiedServer(test: (proxy: EngineProxy, server: ServerProcess) => Promise<void>, env: Record<string, string> = {}) {
  const proxy = await startEngineProxy();
  const server = await startServer({ DOCKER_HOST: proxy.dockerHost, ...env });
  try {
    await test(proxy, server);
  } finally {
    await server.stop();
    await proxy.close();
  }
}

/** Spawns an agent and waits until it has printed its first tick (so it has last lines to lose). */
async function spawnTicking(server: ServerProcess, name: string) {
  await spawnAgent(server, name);
  await eventually(async () => (await containerLines(name)).some((line) => line.endsWith("line 1")), "a log line");
}

/** The agent's crash records, newest first. */
async function crashesOf(server: ServerProcess, name: string) {
  return (await (await operatorFetch(server, `/api/agents/${name}/crashes`)).json()).crashes;
}

describe("the dashboard's live picture of the fleet", () => {
  it("a reconcile poll already on its way does not bring back an agent destroyed meanwhile", () =>
    onProxiedServer(async (proxy, server) => {
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
    }));

  it("records a crash from the engine's die event while the engine still holds back its inspect of the container", () =>
    onProxiedServer(async (proxy, server) => {
      const name = `${prefix}-slow-inspect`;
      await spawnTicking(server, name);
      // A busy engine answers an inspect of a dead container only once it has cleaned it up: here, 8 s later.
      const heldMs = 8_000;
      proxy.delayResponses(INSPECT, heldMs);
      const killedAt = Date.now();
      await docker.getContainer(`hive-${name}`).kill({ signal: "SIGKILL" });

      const crashes = await eventually(async () => {
        const crashes = await crashesOf(server, name);
        return crashes.length > 0 && crashes[0].lastLines.length > 0 ? crashes : null;
      }, "the crash record, from the event alone", heldMs - 3_000);
      expect(Date.now() - killedAt).toBeLessThan(heldMs);
      expect(crashes).toHaveLength(1);
      expect(crashes[0]).toMatchObject({ exitCode: 137, oomKilled: false, outcome: "restart_scheduled" });
      expect(crashes[0].lastLines.map((line: { text: string }) => line.text)).toContain(`[${name}] line 1`);
    }));

  it("records a crash at once while the engine holds back its last lines, and adds them when they come", () =>
    onProxiedServer(async (proxy, server) => {
      const name = `${prefix}-slow-lines`;
      await spawnTicking(server, name);
      // Past the aftermath of its spawn, no action can explain a death: the die event alone makes the record.
      await new Promise((resolve) => setTimeout(resolve, ACTION_AFTERMATH_MS));
      const heldMs = 5_000;
      proxy.delayResponses(LOGS, heldMs);
      const killedAt = Date.now();
      await docker.getContainer(`hive-${name}`).kill({ signal: "SIGKILL" });

      const crashes = () => crashesOf(server, name);
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
    }));

  it("takes a restart whose death the engine tells only after the action ended for the action's doing, not a crash", () =>
    onProxiedServer(async (proxy, server) => {
      const name = `${prefix}-late-events`;
      await spawnTicking(server, name);
      // The engine's events reach the dashboard 3 s late: the restart's death comes in after its slot was freed.
      const heldMs = 3_000;
      expect(proxy.holdOpenStreams(EVENTS, heldMs)).toBe(1);
      const heldAt = Date.now();
      const restarted = await operatorFetch(server, `/api/agents/${name}/restart`, { method: "POST", body: "{}" });
      expect(restarted.status).toBe(200);
      expect(Date.now() - heldAt).toBeLessThan(heldMs);
      const { containers } = await dashboardState(server);
      expect(containers?.find((container) => container.name === name)?.pending ?? null).toBeNull();

      // Once the held events are in and judged, there is no crash, and nothing was restarted on top.
      await new Promise((resolve) => setTimeout(resolve, heldMs + 2_000 - (Date.now() - heldAt)));
      expect(await crashesOf(server, name)).toEqual([]);
      const after = await dashboardState(server);
      expect(after.containers?.find((container) => container.name === name)).toMatchObject({ state: "running", crashes: { last: null } });
    }));

  it("recovers a crash storm a few agents at a time, and every agent in the end", () =>
    onProxiedServer(async (proxy, server) => {
      const names = Array.from({ length: 6 }, (_, index) => `${prefix}-storm-${index}`);
      for (const name of names) await spawnAgent(server, name);
      // The engine answers starts 5 s late, so recoveries overlap for as long as the limit allows.
      proxy.delayResponses(START, 5_000);
      await Promise.all(names.map((name) => docker.getContainer(`hive-${name}`).kill({ signal: "SIGKILL" })));

      let most = 0;
      const recovered = new Set<string>();
      const deadline = Date.now() + 30_000;
      while (recovered.size < names.length && Date.now() < deadline) {
        const { containers } = await dashboardState(server);
        const ours = containers?.filter((container) => names.includes(container.name)) ?? [];
        const recovering = ours.filter((container) => container.pending?.startedBy === "system:recovery").length;
        most = Math.max(most, recovering);
        for (const container of ours) if (container.state === "running" && !container.pending) recovered.add(container.name);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      expect([...recovered].sort()).toEqual([...names].sort());
      // Side by side, but never more than the limit (without it, all six at once). On a busy machine the crashes may be
      // recorded too far apart for the limit to fill, so "side by side" is at least two.
      expect(most).toBeLessThanOrEqual(RECOVERY_CONCURRENCY);
      expect(most).toBeGreaterThanOrEqual(2);
      for (const name of names) expect(await crashesOf(server, name)).toHaveLength(1);
    }));

  it("waits, without asking the database over and over, while a recovery restart is in flight on a slow engine", async () => {
    // On PostgreSQL, so the dashboard's transactions can be counted from outside it.
    const cluster = await startPostgres();
    const url = await createMigratedDatabase(cluster.url());
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await onProxiedServer(async (proxy, server) => {
        const name = `${prefix}-slow-start`;
        const other = `${prefix}-slow-start-2`;
        await spawnTicking(server, name);
        await spawnAgent(server, other);
        // The engine answers starts 6 s late: the recovery's restart stays in flight that long.
        proxy.delayResponses(START, 6_000);
        await docker.getContainer(`hive-${name}`).kill({ signal: "SIGKILL" });
        const recovering = async (agent: string) => {
          const { containers } = await dashboardState(server);
          return containers?.find((container) => container.name === agent)?.pending?.startedBy === "system:recovery" ? true : null;
        };
        await eventually(() => recovering(name), "the recovery's restart in flight", 5_000);
        // A second crash meanwhile makes the recovery look again for what is due: the first agent's restart, still
        // marked due while it is being made.
        await docker.getContainer(`hive-${other}`).kill({ signal: "SIGKILL" });
        await eventually(async () => {
          return (await crashesOf(server, other)).length > 0 ? true : null;
        }, "the second crash recorded", 3_000);
        const commits = async () =>
          Number((await client.query("select xact_commit from pg_stat_database where datname = current_database()")).rows[0].xact_commit);
        const before = await commits();
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        const during = (await commits()) - before;
        // Idle, the dashboard commits a few transactions a second (heartbeat, leadership, this test's own queries);
        // a recovery that re-checks the restart it is already making commits hundreds.
        expect(during).toBeLessThan(60);
        await eventually(async () => ((await engineState(name))?.status === "running" ? true : null), "the agent running again", 15_000);
        await eventually(async () => ((await engineState(other))?.status === "running" ? true : null), "the second agent running again", 15_000);
      }, { DATABASE_URL: url });
    } finally {
      await client.end();
      cluster.destroy();
    }
  });
});
