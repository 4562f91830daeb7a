import { afterAll, describe, expect, it } from "vitest";
import { agentPrefix, bootCount, cleanupAgents, docker, engineState, eventually } from "../helpers/docker";
import { startEngineProxy } from "../helpers/engine-proxy";
import { dashboardState, operatorFetch, spawnAgent, startServer, tempDir, viewOf } from "../helpers/server";

const prefix = agentPrefix();
afterAll(() => cleanupAgents(prefix));

describe("desired state survives the dashboard", () => {
  it("a dashboard restart stops and starts nothing against the desired states; agents that should run are started", async () => {
    const dataDir = tempDir("hive-data-");
    const running = `${prefix}-keep`;
    const stopped = `${prefix}-idle`;
    const first = await startServer({}, { dataDir });
    await spawnAgent(first, running);
    await spawnAgent(first, stopped);
    await operatorFetch(first, `/api/agents/${stopped}/stop`, { method: "POST", body: "{}" });
    expect(await first.stop("SIGTERM")).toBe(0);

    // A shutdown by signal changed nothing in the engine...
    expect((await engineState(running))!.status).toBe("running");
    expect((await engineState(stopped))!.status).toBe("exited");
    // ...and while the dashboard is down, the host "reboots" the running agent away.
    await docker.getContainer(`hive-${running}`).stop({ t: 5 });
    const bootsBefore = await bootCount(running);

    const second = await startServer({}, { dataDir });
    try {
      await eventually(async () => (await engineState(running))?.status === "running", "the agent whose desired state is running to be started");
      // The agent counts its boot a moment after the engine reports it running.
      await eventually(async () => (await bootCount(running)) === bootsBefore + 1, "the agent's next boot");
      const keep = await viewOf(second, running);
      const idle = await viewOf(second, stopped);
      expect(keep).toMatchObject({ desiredState: "running", desiredChangedBy: "operator", crashes: { total: 0 } });
      expect(idle).toMatchObject({ state: "exited", desiredState: "stopped", drift: false });
      // The event is written once the engine's start call has returned, a moment after the container runs.
      await eventually(
        async () => (await dashboardState(second)).activity.some((event) => event.kind === "agent_reconciled" && event.agent === running),
        "the reconcile to be recorded in the activity feed",
      );
      const { activity } = await dashboardState(second);
      expect(activity.filter((event) => event.kind === "agent_reconciled").map((event) => event.agent)).toEqual([running]);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect((await engineState(stopped))!.status).toBe("exited");
      expect(await bootCount(running)).toBe(bootsBefore + 1); // started once
    } finally {
      await second.stop();
    }
  }, 180_000); // two starts on a fresh embedded database: a minute each on a crowded machine

  it("when the engine comes back, starts the agents whose desired state is running, leaves stopped ones stopped, and records no crash", async () => {
    const proxy = await startEngineProxy();
    const server = await startServer({
      DOCKER_HOST: proxy.dockerHost,
      HIVE_RUNTIME_RETRY_BASE_MS: "200",
      HIVE_RUNTIME_RETRY_MAX_MS: "1000",
      HIVE_RUNTIME_RETRY_JITTER_MS: "50",
      HIVE_RUNTIME_PROBE_INTERVAL_MS: "500",
    });
    const running = `${prefix}-back`;
    const stopped = `${prefix}-rest`;
    try {
      await spawnAgent(server, running);
      await spawnAgent(server, stopped);
      expect((await operatorFetch(server, `/api/agents/${stopped}/stop`, { method: "POST", body: "{}" })).status).toBe(200);
      const health = async () => (await (await fetch(`${server.baseUrl}/dashboard-healthz`)).json()).runtime.status as string;

      proxy.disconnect();
      await eventually(async () => (await health()) === "down", "the dashboard to see the engine down");
      // While the dashboard cannot see it, the engine loses the running agent (as a dockerd restart would).
      await docker.getContainer(`hive-${running}`).stop({ t: 5 });
      const bootsBefore = await bootCount(running);
      proxy.reconnect();

      await eventually(async () => (await health()) === "up", "the dashboard to see the engine again");
      await eventually(async () => (await engineState(running))?.status === "running", "the agent that should run to be started");
      await eventually(async () => (await bootCount(running)) === bootsBefore + 1, "the agent's next boot");
      await eventually(
        async () => (await dashboardState(server)).activity.some((event) => event.kind === "agent_reconciled" && event.agent === running),
        "the start recorded in the activity feed",
      );
      expect(await viewOf(server, running)).toMatchObject({ state: "running", desiredState: "running", crashes: { total: 0 } });
      expect(await viewOf(server, stopped)).toMatchObject({ state: "exited", desiredState: "stopped", crashes: { total: 0 } });
      const crashes = await (await operatorFetch(server, `/api/agents/${running}/crashes`)).json();
      expect(crashes.crashes).toEqual([]);
    } finally {
      await server.stop();
      await proxy.close();
    }
  }, 120_000);

  it("reclaims the in-flight pill of a dashboard process killed mid-action", async () => {
    const dataDir = tempDir("hive-data-");
    const name = `${prefix}-orphan`;
    const first = await startServer({}, { dataDir });
    await spawnAgent(first, name, { env: { AGENT_STOP_DELAY_S: "30" } });
    await eventually(async () => (await bootCount(name)) === 1, "first boot");
    const stopping = operatorFetch(first, `/api/agents/${name}/stop`, { method: "POST", body: JSON.stringify({ timeoutSeconds: 60 }) }).catch(() => null);
    await eventually(async () => (await viewOf(first, name))?.pending?.kind === "stopping", "the stopping pill");
    first.child.kill("SIGKILL");
    await first.exited;
    await stopping;

    const second = await startServer({}, { dataDir });
    try {
      const view = await viewOf(second, name);
      expect(view?.pending).toBeNull();
      const { activity } = await dashboardState(second);
      expect(activity).toEqual(
        expect.arrayContaining([expect.objectContaining({ kind: "transient_reclaimed", agent: name, detail: expect.objectContaining({ action: "stop", startedBy: "operator" }) })]),
      );
      // The operator's stop was recorded before the process died: it still wins.
      expect(view?.desiredState).toBe("stopped");
    } finally {
      await second.stop();
    }
  });
});
