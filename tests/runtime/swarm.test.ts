import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../helpers/docker";
import { RUNTIME_DRIVERS } from "@/server/runtime/registry";
import { startEngineProxy } from "../helpers/engine-proxy";
import { cleanupSwarmAgents, type SwarmClusterHandle, startSwarmCluster } from "../helpers/swarm-cluster";
import { runtimeContract } from "./contract";

// This run's installation: what the driver makes carries it.
const INSTALLATION = `swarm-contract-${randomBytes(3).toString("hex")}`;
let cluster: SwarmClusterHandle;
beforeAll(async () => {
  cluster = await startSwarmCluster();
});
afterAll(async () => {
  await cluster?.destroy();
});

const swarm = (dockerHost: string) => {
  const env = RUNTIME_DRIVERS.swarm.env.parse({ DOCKER_HOST: dockerHost, HIVE_SWARM_NODE_ENDPOINTS: cluster.nodeEndpoints });
  return RUNTIME_DRIVERS.swarm.create(RUNTIME_DRIVERS.swarm.settings(env as never), { probeTimeoutMs: 3_000, installation: INSTALLATION });
};

// The Swarm driver passes the runtime contract on a two-node swarm of its own; its manager "goes away" while the proxy
// in front of it disconnects.
runtimeContract({
  name: "swarm",
  get image() {
    return cluster.imageId;
  },
  create: () => swarm(cluster.manager.dockerHost),
  async createInterruptible() {
    const proxy = await startEngineProxy(cluster.manager.socketPath);
    return {
      runtime: await swarm(proxy.dockerHost),
      cut: async () => proxy.disconnect(),
      restore: async () => proxy.reconnect(),
      close: () => proxy.close(),
    };
  },
  cleanup: (prefix) => cleanupSwarmAgents(cluster, prefix),
});

// Two installations (two dashboards' databases) on one swarm: each driver lists, acts on and hears of its own agents'
// services only; the other's are foreign, and its state volume is not the other's to take by spawning the same name.
describe("Swarm driver: installations on one swarm", () => {
  const prefix = `inst${randomBytes(2).toString("hex")}`;
  afterAll(() => cleanupSwarmAgents(cluster, prefix));

  it("lists, inspects, acts on and hears of its own installation's services only", async () => {
    const production = await swarm(cluster.manager.dockerHost);
    const staging = await RUNTIME_DRIVERS.swarm.create(
      RUNTIME_DRIVERS.swarm.settings(RUNTIME_DRIVERS.swarm.env.parse({ DOCKER_HOST: cluster.manager.dockerHost, HIVE_SWARM_NODE_ENDPOINTS: cluster.nodeEndpoints }) as never),
      { probeTimeoutMs: 3_000, installation: `${INSTALLATION}-staging` },
    );
    const name = `${prefix}-prod`;
    await production.createAgent({ name, image: cluster.imageId, env: {}, node: cluster.worker.hostname });
    const controller = new AbortController();
    const heard: string[] = [];
    const listening = (async () => {
      for await (const event of staging.events(controller.signal)) heard.push(event.agent);
    })().catch(() => undefined);
    try {
      await production.startAgent(name);
      const service = (await cluster.manager.engine.getService(`hive-${name}`).inspect()) as { Spec: { Labels: Record<string, string>; TaskTemplate: { ContainerSpec: { Labels?: Record<string, string> } } } };
      expect(service.Spec.Labels["hive.installation"]).toBe(INSTALLATION);
      expect(service.Spec.TaskTemplate.ContainerSpec.Labels?.["hive.installation"]).toBe(INSTALLATION);
      expect((await production.listAgents()).map((agent) => agent.name)).toContain(name);
      expect((await staging.listAgents()).map((agent) => agent.name)).not.toContain(name);
      expect(await staging.inspectAgent(name)).toBeNull();
      expect(await staging.readAgentConfig(name)).toBeNull();
      await expect(staging.stopAgent(name, 1)).rejects.toMatchObject({ kind: "not_found" });
      await expect(staging.killAgent(name)).rejects.toMatchObject({ kind: "not_found" });
      await expect(staging.restartAgent(name, 1)).rejects.toMatchObject({ kind: "not_found" });
      await expect(staging.removeAgent(name)).resolves.toBeUndefined();
      expect((await production.inspectAgent(name))?.state).toBe("running");
      expect(await staging.listForeignAgents()).toContainEqual(expect.objectContaining({ name, installation: INSTALLATION, state: "running" }));
      expect((await production.listForeignAgents()).map((agent) => agent.name)).not.toContain(name);
      // Its state volume (on the worker) is not the other installation's to take by spawning the same name.
      expect((await staging.listStateVolumes()).find((volume) => volume.name === name)).toMatchObject({ installation: INSTALLATION, node: cluster.worker.hostname });
      await expect(staging.createAgent({ name, image: cluster.imageId, env: {} })).rejects.toMatchObject({ kind: "conflict", message: expect.stringMatching(/another installation/) });
      expect((await cluster.manager.engine.listServices({ filters: { label: [`hive.agent=${name}`] } })).length).toBe(1);
      await production.stopAgent(name, 1);
      await eventually(async () => (await production.inspectAgent(name))?.state === "exited", "the stop");
    } finally {
      controller.abort();
      await listening;
    }
    expect(heard).not.toContain(name);
  }, 180_000);
});

/** A tar archive of one file (ustar), as the engine's archive API takes it. */
function tarOf(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, "utf8");
  header.write("0000644\0", 100);
  header.write("0000000\0", 108);
  header.write("0000000\0", 116);
  header.write(`${content.length.toString(8).padStart(11, "0")}\0`, 124);
  header.write(`${Math.floor(Date.now() / 1000).toString(8).padStart(11, "0")}\0`, 136);
  header.write("        ", 148);
  header.write("0", 156);
  header.write("ustar\0" + "00", 257);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, padding, Buffer.alloc(1024)]);
}

// Tombstones on a swarm: each destroyed agent's state volume stays on its own node, is measured there and purged there.
describe("Swarm driver: tombstones on every node", () => {
  const prefix = `tomb${randomBytes(2).toString("hex")}`;
  afterAll(() => cleanupSwarmAgents(cluster, prefix));

  it("lists each tombstone's volume on the node holding it, measures it there, and purges it there", async () => {
    const runtime = await swarm(cluster.manager.dockerHost);
    const kept = [
      { node: cluster.manager, name: `${prefix}-m`, bytes: 96 * 1024 },
      { node: cluster.worker, name: `${prefix}-w`, bytes: 320 * 1024 },
    ];
    for (const { node, name, bytes } of kept) {
      await runtime.createAgent({ name, image: cluster.imageId, env: {}, node: node.hostname });
      // What the agent would have kept: a file of known size, written into its volume on its node (no run needed).
      const writer = await node.engine.createContainer({ Image: cluster.imageId, HostConfig: { Mounts: [{ Type: "volume", Source: `hive-state-${name}`, Target: "/state" }] } });
      await writer.putArchive(tarOf("kept.bin", Buffer.alloc(bytes, 7)), { path: "/state" });
      await writer.remove();
      await runtime.removeAgent(name);
    }
    const volumes = await runtime.listStateVolumes();
    const sizes = await runtime.stateVolumeSizes();
    for (const { node, name, bytes } of kept) {
      expect(await runtime.inspectAgent(name)).toBeNull();
      expect(volumes.filter((volume) => volume.name === name)).toEqual([expect.objectContaining({ node: node.hostname, installation: INSTALLATION })]);
      // The engine measures disk use: the file, rounded up to blocks, and the directory.
      expect(sizes.get(name)).toBeGreaterThanOrEqual(bytes);
      expect(sizes.get(name)).toBeLessThan(bytes + 64 * 1024);
    }
    for (const { node, name } of kept) {
      await runtime.removeStateVolume(name);
      await expect(node.engine.getVolume(`hive-state-${name}`).inspect()).rejects.toMatchObject({ statusCode: 404 });
    }
    expect((await runtime.listStateVolumes()).filter((volume) => volume.name.startsWith(prefix))).toEqual([]);
  }, 180_000);
});
