import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnTestAgent, waitForEngine } from "../helpers/agents";
import { agentPrefix, bootCount, cleanupAgents, docker, eventually } from "../helpers/docker";
import { dashboardState, operatorFetch, type ServerProcess, startServer } from "../helpers/server";

// A driver that says its engine restarts crashed agents itself (here Docker with a restart policy): the crash watch
// records each crash, and leaves the restart to the engine.
describe("an engine that restarts agents by itself", () => {
  const prefix = agentPrefix();
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startServer({ HIVE_DOCKER_RESTART_POLICY: "on-failure" });
    await waitForEngine(server);
  });
  afterAll(async () => {
    await server?.stop();
    await cleanupAgents(prefix);
  });

  it("records the crash as restarted by the engine, schedules no restart of its own, and the engine restarts the agent", async () => {
    const name = `${prefix}-flaky`;
    const spawned = await spawnTestAgent(server, name, { AGENT_EXIT_AFTER_S: "2", AGENT_EXIT_CODE: "3" });
    expect((await docker.getContainer(spawned.containerId).inspect()).HostConfig.RestartPolicy?.Name).toBe("on-failure");
    const crashes = await eventually(async () => {
      const body = (await (await operatorFetch(server, `/api/agents/${name}/crashes`)).json()) as { crashes: { exitCode: number; outcome: string }[] };
      return body.crashes.length > 0 ? body.crashes : null;
    }, "the crash record", 30_000);
    expect(crashes[0]).toMatchObject({ exitCode: 3, outcome: "restarted_by_engine" });
    // The engine started it again (its boot counter goes on), and the dashboard has no restart of its own due.
    await eventually(async () => (await bootCount(name)) >= 2, "the engine's restart");
    const view = (await dashboardState(server)).containers?.find((container) => container.name === name);
    expect(view).toMatchObject({ nextRestartAt: null, desiredState: "running" });
    const stopped = await operatorFetch(server, `/api/agents/${name}/stop`, { method: "POST", body: "{}" });
    expect(stopped.status).toBe(200);
  });
});
