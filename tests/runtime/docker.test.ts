import { RUNTIME_DRIVERS } from "@/server/runtime/registry";
import { cleanupAgents, TEST_IMAGE } from "../helpers/docker";
import { startEngineProxy } from "../helpers/engine-proxy";
import { runtimeContract } from "./contract";

/** Drivers made here manage only what they made (one installation per test run). */
const TEST_INSTALLATION = `test-contract-${process.pid}`;

const ENGINE = "/var/run/docker.sock";
const docker = (dockerHost: string) => RUNTIME_DRIVERS.docker.create({ dockerHost, restartPolicy: "no" }, { probeTimeoutMs: 3_000, installation: TEST_INSTALLATION });

// The Docker driver passes the runtime contract; its engine "goes away" while the proxy in front of it disconnects.
runtimeContract({
  name: "docker",
  image: TEST_IMAGE,
  create: () => docker(`unix://${ENGINE}`),
  async createInterruptible() {
    const proxy = await startEngineProxy(ENGINE);
    return {
      runtime: await docker(proxy.dockerHost),
      cut: async () => proxy.disconnect(),
      restore: async () => proxy.reconnect(),
      close: () => proxy.close(),
    };
  },
  cleanup: cleanupAgents,
});

