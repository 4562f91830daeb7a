import pg from "pg";
import { afterAll, describe, expect, it, inject } from "vitest";
import { agentPrefix, cleanupAgents, docker, engineState, eventually, TEST_IMAGE } from "../helpers/docker";
import { createMigratedDatabase } from "../helpers/postgres";
import { dashboardState, operatorFetch, type ServerProcess, spawnAgent, startServer, viewOf } from "../helpers/server";

// Two installations (say staging and production: two dashboards, each with its own database) on one engine.
const prefix = agentPrefix();
afterAll(() => cleanupAgents(prefix));

async function installationOf(server: ServerProcess): Promise<string> {
  return ((await (await operatorFetch(server, "/api/diagnostics")).json()) as { installation: string }).installation;
}

const names = async (server: ServerProcess) => ((await dashboardState(server)).containers ?? []).map((container) => container.name);

describe("installations on one engine", () => {
  it("each dashboard lists, watches, recovers and adopts only its own agents; the other's stopped agent stays stopped", async () => {
    // Each its own database (on the test cluster: quicker to start than two embedded ones).
    const urls = await Promise.all([0, 1].map(() => createMigratedDatabase(inject("postgresAdminUrl"))));
    const started = await Promise.allSettled(urls.map((url) => startServer({ DATABASE_URL: url })));
    const servers = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
    if (servers.length < 2) {
      await Promise.all(servers.map((server) => server.stop()));
      throw (started.find((result) => result.status === "rejected") as PromiseRejectedResult).reason;
    }
    const [production, staging] = servers as [ServerProcess, ServerProcess];
    try {
      const [productionId, stagingId] = await Promise.all([installationOf(production), installationOf(staging)]);
      expect(productionId).toMatch(/^inst-[0-9a-f]{12}$/);
      expect(stagingId).not.toBe(productionId);
      const idle = `${prefix}-idle`;
      const busy = `${prefix}-busy`;
      await spawnAgent(production, idle);
      await spawnAgent(production, busy);
      expect((await operatorFetch(production, `/api/agents/${idle}/stop`, { method: "POST", body: JSON.stringify({ timeoutSeconds: 1 }) })).status).toBe(200);
      const { Config } = await docker.getContainer(`hive-${idle}`).inspect();
      expect(Config.Labels["hive.installation"]).toBe(productionId);

      // A container staging's own label names, made behind its back: once staging has taken it in (its reconcile poll
      // ran, with production's agents on the engine all along), what staging did with production's agents is final.
      const behindBack = `${prefix}-handmade`;
      await (
        await docker.createContainer({
          name: `hive-${behindBack}`,
          Image: TEST_IMAGE,
          Labels: { "hive.agent": behindBack, "hive.installation": stagingId },
          HostConfig: { NetworkMode: "none" },
        })
      ).start();
      await eventually(async () => (await viewOf(staging, behindBack))?.desiredState === "running", "staging to take in its own hand-made agent", 30_000);

      // A crash of production's busy agent: production records and recovers it; staging hears nothing of it.
      await docker.getContainer(`hive-${busy}`).kill({ signal: "SIGKILL" });
      await eventually(async () => (await viewOf(production, busy))?.crashes.total === 1, "production to record the crash");
      await eventually(async () => (await engineState(busy))?.status === "running", "production to recover its agent");

      expect(await names(staging)).not.toContain(idle);
      expect(await names(staging)).not.toContain(busy);
      expect(await names(production)).not.toContain(behindBack);
      for (const agent of [idle, busy]) {
        // Staging never recorded, adopted or acted on production's agents: to staging they do not exist.
        const crashes = await operatorFetch(staging, `/api/agents/${agent}/crashes`);
        expect([404, 200]).toContain(crashes.status);
        if (crashes.status === 200) expect(((await crashes.json()) as { crashes: unknown[] }).crashes).toEqual([]);
        const stop = await operatorFetch(staging, `/api/agents/${agent}/stop`, { method: "POST", body: "{}" });
        expect(stop.status).toBe(404);
      }
      expect(await engineState(idle)).toMatchObject({ status: "exited", exitCode: 0 });
      expect(await viewOf(production, idle)).toMatchObject({ state: "exited", desiredState: "stopped", crashes: { total: 0 } });
      expect((await engineState(busy))?.status).toBe("running");
      // Nor can staging spawn over production's agent or take its state volume.
      const spawn = await operatorFetch(staging, "/api/agents", { method: "POST", body: JSON.stringify({ name: idle, image: TEST_IMAGE, network: "none" }) });
      expect(spawn.status).toBe(409);
      expect((await docker.getVolume(`hive-state-${idle}`).inspect()).Labels["hive.installation"]).toBe(productionId);

      // Staging sees production's agents as foreign, read-only; adopting one is an operator's explicit act.
      const foreign = (await (await operatorFetch(staging, "/api/foreign-agents")).json()) as { installation: string; agents: { name: string }[] };
      expect(foreign.installation).toBe(stagingId);
      expect(foreign.agents).toContainEqual(expect.objectContaining({ name: idle, installation: productionId, state: "exited" }));
      const adopted = await operatorFetch(staging, `/api/foreign-agents/${idle}/adopt`, { method: "POST", body: "{}" });
      expect(adopted.status, await adopted.clone().text()).toBe(200);
      expect(((await adopted.json()) as { agent: unknown }).agent).toMatchObject({ name: idle, state: "created", desiredState: "stopped", desiredChangedBy: "operator" });
      expect((await docker.getContainer(`hive-${idle}`).inspect()).Config.Labels["hive.installation"]).toBe(stagingId);
      expect(await names(staging)).toContain(idle);
      await eventually(async () => !(await names(production)).includes(idle), "production to lose sight of the adopted agent");
      expect((await operatorFetch(staging, `/api/foreign-agents/${idle}/adopt`, { method: "POST", body: "{}" })).status).toBe(409);
      expect((await operatorFetch(staging, `/api/foreign-agents/${prefix}-nobody/adopt`, { method: "POST", body: "{}" })).status).toBe(404);
    } finally {
      await Promise.all([production.stop(), staging.stop()]);
    }
  }, 180_000);

  it("an upgraded database keeps managing the unlabelled agents it knew; an unlabelled stranger is not taken", async () => {
    const url = await createMigratedDatabase(inject("postgresAdminUrl"));
    const known = `${prefix}-known`;
    const stranger = `${prefix}-stranger`;
    // As before installation identities: the database knows `known`; both containers carry the agent label only.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query("insert into agents (name, desired_state, desired_changed_by) values ($1, 'running', 'operator')", [known]);
    await client.end();
    for (const agent of [known, stranger]) {
      await docker.createVolume({ Name: `hive-state-${agent}`, Labels: { "hive.state": agent, "hive.managed-by": "hive-dashboard" } });
      await docker.createContainer({
        name: `hive-${agent}`,
        Image: TEST_IMAGE,
        Labels: { "hive.agent": agent, "hive.managed-by": "hive-dashboard" },
        HostConfig: { NetworkMode: "none", Mounts: [{ Type: "volume", Source: `hive-state-${agent}`, Target: "/state" }] },
      });
    }
    const server = await startServer({ DATABASE_URL: url });
    try {
      // Its desired state is running: the reconcile starts it, as its own.
      await eventually(async () => (await engineState(known))?.status === "running", "the known agent started by the reconcile");
      expect(await viewOf(server, known)).toMatchObject({ desiredState: "running" });
      expect(await names(server)).not.toContain(stranger);
      expect((await engineState(stranger))?.status).toBe("created");
      // A rebuild makes it labelled like everything this installation creates.
      expect((await operatorFetch(server, `/api/agents/${known}/rebuild`, { method: "POST", body: "{}" })).status).toBe(200);
      const { Config } = await docker.getContainer(`hive-${known}`).inspect();
      expect(Config.Labels["hive.installation"]).toBe(await installationOf(server));
    } finally {
      await server.stop();
    }
  }, 120_000);
});
