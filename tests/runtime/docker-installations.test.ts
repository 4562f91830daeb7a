import { afterAll, describe, expect, it } from "vitest";
import { DockerRuntime } from "@/server/runtime/docker/driver";
import { agentPrefix, bootCount, cleanupAgents, docker, eventually, TEST_IMAGE } from "../helpers/docker";

// Two installations (two dashboards' databases) on one engine: each driver sees, acts on and hears of its own agents
// only; the other's are foreign, and only an adoption brings one (with its state) over.
const prefix = agentPrefix();
const make = (installation: string) =>
  new DockerRuntime({ dockerHost: "unix:///var/run/docker.sock", restartPolicy: "no", probeTimeoutMs: 3_000, installation });
const staging = make(`test-${prefix}-staging`);
const production = make(`test-${prefix}-production`);

afterAll(() => cleanupAgents(prefix));

describe("Docker driver: installations on one engine", () => {
  it("lists, inspects, acts on and hears of its own agents only; the other's are foreign", async () => {
    const name = `${prefix}-prod`;
    await production.createAgent({ name, image: TEST_IMAGE, env: {}, network: "none" });
    const controller = new AbortController();
    const heard: string[] = [];
    const listening = (async () => {
      for await (const event of staging.events(controller.signal)) heard.push(event.agent);
    })().catch(() => undefined);
    await production.startAgent(name);
    try {
      expect((await production.listAgents()).map((agent) => agent.name)).toContain(name);
      expect((await staging.listAgents()).map((agent) => agent.name)).not.toContain(name);
      expect(await staging.inspectAgent(name)).toBeNull();
      await expect(staging.stopAgent(name, 1)).rejects.toMatchObject({ kind: "not_found" });
      await expect(staging.removeAgent(name)).resolves.toBeUndefined();
      expect((await production.inspectAgent(name))?.state).toBe("running");
      expect(await staging.listForeignAgents()).toContainEqual(expect.objectContaining({ name, installation: `test-${prefix}-production`, state: "running" }));
      expect((await production.listForeignAgents()).map((agent) => agent.name)).not.toContain(name);
      // Its state volume is not the other's to take by spawning the same name.
      await expect(staging.ensureStateVolume(name)).rejects.toMatchObject({ kind: "conflict", message: expect.stringMatching(/another installation/) });
      expect((await staging.listStateVolumes()).find((volume) => volume.name === name)?.installation).toBe(`test-${prefix}-production`);
      await production.stopAgent(name, 1);
      await eventually(async () => (await production.inspectAgent(name))?.state === "exited", "the stop");
    } finally {
      controller.abort();
      await listening;
    }
    expect(heard).not.toContain(name);
  });

  it("adopts another installation's (or no installation's) agent with its state volume, keeping it stopped or running as it was", async () => {
    const legacy = `${prefix}-legacy`;
    // An agent from before installation identities: labelled as an agent, claimed by no installation, as its volume.
    await docker.createVolume({ Name: `hive-state-${legacy}`, Labels: { "hive.state": legacy, "hive.managed-by": "hive-dashboard" } });
    const made = await docker.createContainer({
      name: `hive-${legacy}`,
      Image: TEST_IMAGE,
      Labels: { "hive.agent": legacy, "hive.managed-by": "hive-dashboard" },
      Env: [`HIVE_AGENT_NAME=${legacy}`, "HIVE_STATE_DIR=/state", "GREETING=kept"],
      HostConfig: { NetworkMode: "none", Mounts: [{ Type: "volume", Source: `hive-state-${legacy}`, Target: "/state" }] },
    });
    await made.start();
    await eventually(async () => (await bootCount(legacy)) === 1, "the legacy agent's first boot");
    expect(await staging.listForeignAgents()).toContainEqual(expect.objectContaining({ name: legacy, installation: null }));
    const config = await staging.readAgentConfig(legacy, { foreign: true });
    expect(config).toMatchObject({ image: TEST_IMAGE, env: { GREETING: "kept" } });
    await staging.adoptAgent({ name: legacy, ...config! }, 1);
    const adopted = await staging.inspectAgent(legacy);
    expect(adopted).toMatchObject({ state: "running", labels: expect.objectContaining({ "hive.installation": `test-${prefix}-staging` }) });
    expect(adopted!.containerId).not.toBe(made.id);
    await eventually(async () => (await bootCount(legacy)) === 2, "the adopted agent's next boot, on the same state volume");
    expect((await staging.listForeignAgents()).map((agent) => agent.name)).not.toContain(legacy);
    expect(await production.listForeignAgents()).toContainEqual(expect.objectContaining({ name: legacy, installation: `test-${prefix}-staging` }));
    // Nothing of the old container is left.
    expect(await docker.listContainers({ all: true, filters: { label: [`hive.agent=${legacy}`] } })).toHaveLength(1);

    // A stopped agent of another installation stays stopped when adopted.
    const stopped = `${prefix}-idle`;
    await production.createAgent({ name: stopped, image: TEST_IMAGE, env: {}, network: "none" });
    await staging.adoptAgent({ name: stopped, ...(await staging.readAgentConfig(stopped, { foreign: true }))! }, 1);
    expect(await staging.inspectAgent(stopped)).toMatchObject({ state: "created" });
    expect(await production.inspectAgent(stopped)).toBeNull();
  });

  it("finishes a recreate a dead process left half done: the parked container goes, or comes back when no new one was made", async () => {
    const name = `${prefix}-parked`;
    await staging.createAgent({ name, image: TEST_IMAGE, env: {}, network: "none" });
    await staging.startAgent(name);
    // As a rebuild killed after parking the old container and making the new one (not yet removing the old one).
    await docker.getContainer(`hive-${name}`).stop({ t: 1 });
    await docker.getContainer(`hive-${name}`).rename({ name: `hive-${name}-replaced-${Date.now()}` });
    await staging.createAgent({ name, image: TEST_IMAGE, env: {}, network: "none" });
    expect(await staging.listInterruptedRecreates()).toEqual([name]);
    expect(await production.listInterruptedRecreates()).toEqual([]);
    expect(await staging.settleInterruptedRecreate(name)).toBe("kept-new");
    expect(await staging.listInterruptedRecreates()).toEqual([]);
    expect((await docker.listContainers({ all: true, filters: { label: [`hive.agent=${name}`] } })).map((item) => item.Names[0])).toEqual([`/hive-${name}`]);

    // As a rebuild killed after parking, before the new container was made: the old one is put back.
    const parkedAs = `hive-${name}-replaced-${Date.now()}`;
    const current = await staging.inspectAgent(name);
    await docker.getContainer(`hive-${name}`).rename({ name: parkedAs });
    expect(await staging.inspectAgent(name)).toBeNull();
    expect(await staging.listInterruptedRecreates()).toEqual([name]);
    expect(await staging.settleInterruptedRecreate(name)).toBe("restored-old");
    expect((await staging.inspectAgent(name))?.containerId).toBe(current!.containerId);
  });
});
