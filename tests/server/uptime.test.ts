import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { agentPrefix, cleanupAgents, docker, eventually } from "../helpers/docker";
import { createMigratedDatabase } from "../helpers/postgres";
import { operatorFetch, spawnAgent, startServer } from "../helpers/server";

const prefix = agentPrefix();
afterAll(() => cleanupAgents(prefix));

type LogRow = { state: string; reason: string; at: Date };

async function stateLog(url: string, agent: string): Promise<LogRow[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<LogRow>("select state, reason, at from agent_state_log where agent = $1 order by at, id", [agent])).rows;
  } finally {
    await client.end();
  }
}

const lastState = async (url: string, agent: string) => (await stateLog(url, agent)).at(-1);

describe("[UPTIME] the leader logs each agent's run state as it changes", () => {
  it("running, stopped by the operator, crashed and back; the dashboard's own downtime is unknown; the API reads it", async () => {
    const url = await createMigratedDatabase(inject("postgresAdminUrl"));
    let logged = 0;
    const name = `${prefix}-up`;
    const first = await startServer({ DATABASE_URL: url });
    try {
      await spawnAgent(first, name);
      await eventually(async () => (await lastState(url, name))?.state === "running", "the agent logged running");

      await operatorFetch(first, `/api/agents/${name}/stop`, { method: "POST", body: "{}" });
      await eventually(async () => (await lastState(url, name))?.state === "stopped", "the operator's stop logged as stopped");
      await operatorFetch(first, `/api/agents/${name}/start`, { method: "POST", body: "{}" });
      await eventually(async () => (await lastState(url, name))?.state === "running", "running again after the start");

      // Killed behind the dashboard's back while it should run: a crash, then the crash watch's restart.
      await docker.getContainer(`hive-${name}`).kill();
      await eventually(async () => (await stateLog(url, name)).some((row) => row.state === "crashed"), "the crash logged");
      await eventually(async () => (await lastState(url, name))?.state === "running", "running again after the recovery", 30_000);

      const states = (await stateLog(url, name)).map((row) => row.state);
      // A look during the spawn may see it stopped first (an action in flight, not downtime).
      expect(states.slice(states.indexOf("running"))).toEqual(["running", "stopped", "running", "crashed", "running"]);
      logged = states.length;

      const uptime = await (await operatorFetch(first, `/api/agents/${name}/uptime?window=24h`)).json();
      expect(uptime).toMatchObject({ agent: name, window: "24h" });
      expect(uptime.secondsKnown).toBeGreaterThan(0);
      expect(uptime.secondsStopped).toBeGreaterThanOrEqual(0);
      expect(uptime.uptimePercent).toBeGreaterThan(0);
      const history = await (await operatorFetch(first, `/api/agents/${name}/uptime/history?window=30d&granularity=daily`)).json();
      expect(history.periods).toHaveLength(30);
      const hourly = await (await operatorFetch(first, `/api/agents/${name}/uptime/history?window=24h&granularity=hourly`)).json();
      expect(hourly.periods).toHaveLength(24);
      expect(hourly.periods.at(-1).secondsKnown).toBeGreaterThan(0);
      expect((await operatorFetch(first, `/api/agents/${prefix}-never/uptime`)).status).toBe(404);
      expect((await operatorFetch(first, `/api/agents/${name}/uptime?window=1y`)).status).toBe(400);
    } finally {
      expect(await first.stop("SIGTERM")).toBe(0);
    }

    // Away for a while; the next leader logs the time since the watch last looked as unknown, then what it sees.
    const stoppedAt = Date.now();
    const second = await startServer({ DATABASE_URL: url });
    try {
      await eventually(async () => (await stateLog(url, name)).length >= logged + 2, "the gap and the fresh look logged");
      const rows = await stateLog(url, name);
      expect(rows.slice(logged).map((row) => [row.state, row.reason])).toEqual([
        ["unknown", "dashboard_down"],
        ["running", "observed"],
      ]);
      expect(rows[logged]!.at.getTime()).toBeLessThanOrEqual(stoppedAt);
      const fleet = await (await operatorFetch(second, "/api/uptime?window=24h")).json();
      await eventually(async () => {
        const figures = (await (await operatorFetch(second, "/api/uptime?window=24h")).json()).agents[name];
        return figures && figures.secondsKnown > 0;
      }, "the worker's buckets in the fleet summary");
      expect(fleet.window).toBe("24h");
    } finally {
      await second.stop();
    }
  }, 240_000);
});
