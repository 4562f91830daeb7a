import { afterAll, describe, expect, inject, it } from "vitest";
import { DockerRuntime } from "@/server/runtime/docker/driver";
import { agentPrefix, cleanupAgents, docker, engineState, eventually, TEST_IMAGE } from "../helpers/docker";
import { createMigratedDatabase } from "../helpers/postgres";
import { dashboardState, operatorFetch, spawnAgent, startServer } from "../helpers/server";

// A dashboard killed mid-rebuild leaves the old container parked as hive-<name>-replaced-<stamp>, beside the new one or
// instead of it. The (other) dashboard's crash watch finishes or undoes that recreate: no orphan stays behind.
const prefix = agentPrefix();
afterAll(() => cleanupAgents(prefix));

const containersOf = async (name: string) =>
  (await docker.listContainers({ all: true, filters: { label: [`hive.agent=${name}`] } })).map((item) => item.Names[0]).sort();

describe("a rebuild left half done by a dead process", () => {
  it("is finished (the parked old container removed) or undone (the old one back and running as desired)", async () => {
    const server = await startServer({ DATABASE_URL: await createMigratedDatabase(inject("postgresAdminUrl")) });
    try {
      const { installation } = (await (await operatorFetch(server, "/api/diagnostics")).json()) as { installation: string };
      // The engine calls a rebuild makes, made here as that dead process would have made them.
      const engine = new DockerRuntime({ dockerHost: "unix:///var/run/docker.sock", restartPolicy: "no", probeTimeoutMs: 3_000, installation });
      const rebuilt = `${prefix}-rebuilt`;
      const undone = `${prefix}-undone`;
      await spawnAgent(server, rebuilt);
      await spawnAgent(server, undone);

      // Killed after making the new container, before removing the old one.
      await docker.getContainer(`hive-${rebuilt}`).stop({ t: 1 });
      await docker.getContainer(`hive-${rebuilt}`).rename({ name: `hive-${rebuilt}-replaced-${Date.now()}` });
      await engine.createAgent({ name: rebuilt, image: TEST_IMAGE, env: {}, network: "none" });
      await engine.startAgent(rebuilt);
      // Killed after parking the old container, before making the new one.
      const before = await engineState(undone);
      await docker.getContainer(`hive-${undone}`).stop({ t: 1 });
      await docker.getContainer(`hive-${undone}`).rename({ name: `hive-${undone}-replaced-${Date.now()}` });

      await eventually(async () => (await containersOf(rebuilt)).length === 1, "the parked container of the finished rebuild removed", 45_000);
      expect(await containersOf(rebuilt)).toEqual([`/hive-${rebuilt}`]);
      expect((await engineState(rebuilt))?.status).toBe("running");
      await eventually(async () => (await containersOf(undone)).join() === `/hive-${undone}`, "the old container put back under its name", 45_000);
      await eventually(async () => (await engineState(undone))?.status === "running", "the put-back agent started (desired: running)");
      expect((await engineState(undone))?.id).toBe(before!.id);
      const { activity, inFlight } = await dashboardState(server);
      const settled = activity.filter((event) => event.kind === "recreate_settled");
      expect(settled.map((event) => [event.agent, event.detail.outcome]).sort()).toEqual([
        [rebuilt, "kept-new"],
        [undone, "restored-old"],
      ].sort());
      expect(inFlight).toBe(false);
    } finally {
      await server.stop();
    }
  }, 180_000);
});
