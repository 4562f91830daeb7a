import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
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
