import { execFileSync, spawn } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Docker from "dockerode";
import { eventually } from "./docker";

/**
 * A two-node Docker Swarm made for a test run and torn down after it: two private dockerds, each in a network
 * namespace of its own (joined by a veth pair on a private /24) and a UTS namespace of its own (distinct host names,
 * so distinct node names). The manager inits the swarm, the worker joins. The shared engine at /var/run/docker.sock is
 * only read from (the test image is copied from it); it never joins anything. Every name is unique per run.
 */
export type SwarmNodeHandle = {
  /** The node's host name: its name in the swarm and on the page. */
  hostname: string;
  role: "manager" | "worker";
  /** The engine's API on a unix socket (`unix:///…`): reachable from the host whatever the namespace. */
  dockerHost: string;
  socketPath: string;
  /** Its address on the namespaces' link. */
  address: string;
  engine: Docker;
  /** Whether its dockerd is running (started by this helper). */
  running(): boolean;
  /** Stops its dockerd (SIGTERM, as a service manager would) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts its dockerd again on the same data root (it rejoins the swarm by itself) and waits for it to answer. */
  start(): Promise<void>;
};

export type SwarmClusterHandle = {
  id: string;
  dir: string;
  manager: SwarmNodeHandle;
  worker: SwarmNodeHandle;
  /** HIVE_SWARM_NODE_ENDPOINTS for a dashboard pointed at the manager: the worker's engine by its node name. */
  nodeEndpoints: string;
  /** The test agent image's id (sha256:…), loaded on both nodes. */
  imageId: string;
  destroy(): Promise<void>;
};

/** What a cluster made by one process tells another (vitest's global setup → test files). */
export type SwarmClusterDescription = {
  id: string;
  dir: string;
  nodes: { hostname: string; role: "manager" | "worker"; socketPath: string; address: string; netns: string }[];
  imageId: string;
};

const SHARED_ENGINE = "/var/run/docker.sock";
const TEST_IMAGE = "hive-test-agent:latest";
/** A short heartbeat so a node that goes away is marked down in seconds (Swarm's default, 5 s, takes ~15 s). */
const HEARTBEAT_NS = 1_000_000_000;

const run = (command: string, args: string[]) => execFileSync(command, args, { stdio: ["ignore", "pipe", "pipe"] }).toString();

/** Unmounts (lazily) every mount point under the directory, deepest first. */
export function unmountUnder(dir: string) {
  const points = fs
    .readFileSync("/proc/self/mounts", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[1] ?? "")
    .filter((point) => point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const point of points) {
    try {
      run("umount", ["-l", point]);
    } catch {
      // gone already
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie still answers signal 0: it has exited.
    return !/^\S+ \S+ Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8").replace(/\(.*\)/, "x"));
  } catch {
    return false;
  }
}


type NodePlan = { hostname: string; role: "manager" | "worker"; dir: string; netns: string; address: string };

function pidOf(plan: NodePlan): number | null {
  try {
    const pid = Number(fs.readFileSync(path.join(plan.dir, "docker.pid"), "utf8").trim());
    return pid > 0 && alive(pid) ? pid : null;
  } catch {
    return null;
  }
}

function nodeHandle(plan: NodePlan): SwarmNodeHandle {
  const socketPath = path.join(plan.dir, "docker.sock");
  const engine = new Docker({ socketPath, timeout: 60_000 });
  const handle: SwarmNodeHandle = {
    hostname: plan.hostname,
    role: plan.role,
    dockerHost: `unix://${socketPath}`,
    socketPath,
    address: plan.address,
    engine,
    running: () => pidOf(plan) !== null,
    async stop() {
      const pid = pidOf(plan);
      if (pid === null) return;
      process.kill(pid, "SIGTERM");
      await eventually(async () => !alive(pid), `swarm cluster: dockerd of ${plan.hostname} to exit`, 60_000).catch(() => process.kill(pid, "SIGKILL"));
      await eventually(async () => !alive(pid), `swarm cluster: dockerd of ${plan.hostname} to die`, 10_000);
      // dockerd leaves its network namespaces' bind mounts behind (default, and one per overlay's load balancer).
      unmountUnder(plan.dir);
    },
    async start() {
      if (pidOf(plan) !== null) return;
      fs.rmSync(socketPath, { force: true });
      const log = fs.openSync(path.join(plan.dir, "dockerd.log"), "a");
      const dockerd = [
        "dockerd",
        `--data-root=${path.join(plan.dir, "data")}`,
        `--exec-root=${path.join(plan.dir, "exec")}`,
        `--pidfile=${path.join(plan.dir, "docker.pid")}`,
        `--host=unix://${socketPath}`,
        "--log-level=warn",
      ].join(" ");
      // `ip netns exec` remounts /sys, which hides the cgroups dockerd needs: nsenter keeps the host's mounts.
      const child = spawn("nsenter", [`--net=/run/netns/${plan.netns}`, "unshare", "--uts", "sh", "-c", `hostname ${plan.hostname} && exec ${dockerd}`], {
        detached: true,
        stdio: ["ignore", log, log],
      });
      child.unref();
      fs.closeSync(log);
      await eventually(async () => (await engine.ping()) && true, `swarm cluster: dockerd of ${plan.hostname} to answer`, 60_000);
    },
  };
  return handle;
}

function handleFrom(description: SwarmClusterDescription, plans: NodePlan[], veth: string | null): SwarmClusterHandle {
  const [manager, worker] = plans.map(nodeHandle) as [SwarmNodeHandle, SwarmNodeHandle];
  return {
    id: description.id,
    dir: description.dir,
    manager,
    worker,
    nodeEndpoints: `${worker.hostname}=${worker.dockerHost}`,
    imageId: description.imageId,
    async destroy() {
      for (const node of [worker, manager]) {
        if (!node.running()) continue;
        await node.engine.swarmLeave({ force: true }).catch(() => undefined);
        await node.stop().catch(() => undefined);
      }
      for (const plan of plans) {
        try {
          run("ip", ["netns", "del", plan.netns]);
        } catch {
          // gone already
        }
      }
      if (veth) {
        try {
          run("ip", ["link", "del", veth]);
        } catch {
          // went with its namespace
        }
      }
      fs.rmSync(description.dir, { recursive: true, force: true });
    },
  };
}

const plansOf = (description: SwarmClusterDescription): NodePlan[] =>
  description.nodes.map((node) => ({ hostname: node.hostname, role: node.role, dir: path.dirname(node.socketPath), netns: node.netns, address: node.address }));

/** A handle on a cluster another process made (from its description). */
export function attachSwarmCluster(description: SwarmClusterDescription): SwarmClusterHandle {
  return handleFrom(description, plansOf(description), null);
}

/** Makes the two-node swarm: namespaces, link, two dockerds, swarm init + join, the test image on both. */
export async function startSwarmCluster(): Promise<SwarmClusterHandle> {
  if (process.getuid?.() !== 0) throw new Error("swarm cluster: network namespaces and dockerd need root");
  const startedAt = Date.now();
  const id = randomBytes(3).toString("hex");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hive-swarm-"));
  const subnet = `10.${randomInt(200, 250)}.${randomInt(0, 255)}`;
  const plans: NodePlan[] = [
    { hostname: `hive-${id}-m`, role: "manager", dir: path.join(dir, "m"), netns: `hive-${id}-m`, address: `${subnet}.1` },
    { hostname: `hive-${id}-w`, role: "worker", dir: path.join(dir, "w"), netns: `hive-${id}-w`, address: `${subnet}.2` },
  ];
  const veth = [`hv${id}m`, `hv${id}w`] as const;
  const description: SwarmClusterDescription = {
    id,
    dir,
    nodes: plans.map((plan) => ({ hostname: plan.hostname, role: plan.role, socketPath: path.join(plan.dir, "docker.sock"), address: plan.address, netns: plan.netns })),
    imageId: "",
  };
  let cluster = handleFrom(description, plans, veth[0]);
  try {
    run("ip", ["link", "add", veth[0], "type", "veth", "peer", "name", veth[1]]);
    plans.forEach((plan, index) => {
      fs.mkdirSync(plan.dir, { recursive: true });
      run("ip", ["netns", "add", plan.netns]);
      run("ip", ["link", "set", veth[index]!, "netns", plan.netns]);
      const inside = (...args: string[]) => run("ip", ["-n", plan.netns, ...args]);
      inside("addr", "add", `${plan.address}/24`, "dev", veth[index]!);
      inside("link", "set", veth[index]!, "up");
      inside("link", "set", "lo", "up");
    });
    await Promise.all([cluster.manager.start(), cluster.worker.start()]);
    const { manager, worker } = cluster;
    await manager.engine.swarmInit({
      ListenAddr: `${manager.address}:2377`,
      AdvertiseAddr: `${manager.address}:2377`,
      Spec: { Dispatcher: { HeartbeatPeriod: HEARTBEAT_NS } },
    });
    const swarm = (await manager.engine.swarmInspect()) as { JoinTokens: { Worker: string } };
    await worker.engine.swarmJoin({
      ListenAddr: `${worker.address}:2377`,
      AdvertiseAddr: `${worker.address}:2377`,
      RemoteAddrs: [`${manager.address}:2377`],
      JoinToken: swarm.JoinTokens.Worker,
    });
    await eventually(
      async () => {
        const nodes = (await manager.engine.listNodes()) as { Status: { State: string } }[];
        return nodes.length === 2 && nodes.every((node) => node.Status.State === "ready");
      },
      "both nodes to be ready",
      60_000,
    );
    description.imageId = await copyTestImage([manager.engine, worker.engine]);
    cluster = handleFrom(description, plans, veth[0]);
    // The set-up's cost, printed for the issue note and for anyone wondering where a test file's first seconds went.
    console.info(`swarm cluster ${id}: two nodes ready, image on both, in ${Date.now() - startedAt} ms`);
    return cluster;
  } catch (error) {
    await cluster.destroy().catch(() => undefined);
    throw error;
  }
}

/** Copies the test agent image from the shared engine to each node (export, then load: no registry); answers its id. */
async function copyTestImage(engines: Docker[]): Promise<string> {
  const shared = new Docker({ socketPath: SHARED_ENGINE });
  const image = (await shared.getImage(TEST_IMAGE).inspect()) as { Id: string };
  for (const engine of engines) {
    // By id: other checkouts may rebuild the tag meanwhile, and the archive must hold the image whose id is answered.
    const archive = await shared.getImage(image.Id).get();
    const loading = (await engine.loadImage(archive as unknown as NodeJS.ReadableStream)) as unknown as NodeJS.ReadableStream;
    await new Promise<void>((resolve, reject) => {
      loading.on("data", () => undefined);
      loading.on("end", resolve);
      loading.on("error", reject);
    });
    await engine.getImage(image.Id).inspect();
  }
  return image.Id;
}

/** The description a process hands on (JSON-safe). */
export function describeSwarmCluster(cluster: SwarmClusterHandle): SwarmClusterDescription {
  return {
    id: cluster.id,
    dir: cluster.dir,
    imageId: cluster.imageId,
    nodes: [cluster.manager, cluster.worker].map((node) => ({
      hostname: node.hostname,
      role: node.role,
      socketPath: node.socketPath,
      address: node.address,
      netns: node.hostname,
    })),
  };
}

/** Removes every service, state volume and network of the cluster whose agent name starts with the prefix. */
export async function cleanupSwarmAgents(cluster: SwarmClusterHandle, prefix: string): Promise<void> {
  const ours = (labels: Record<string, string> | undefined, label: string) => labels?.[label]?.startsWith(prefix) === true;
  const services = (await cluster.manager.engine.listServices({ filters: { label: ["hive.agent"] } })) as { ID: string; Spec: { Labels?: Record<string, string> } }[];
  await Promise.all(services.filter((service) => ours(service.Spec.Labels, "hive.agent")).map((service) => cluster.manager.engine.getService(service.ID).remove().catch(() => undefined)));
  for (const node of [cluster.manager, cluster.worker]) {
    if (!node.running()) continue;
    await eventually(async () => {
      const left = (await node.engine.listContainers({ all: true, filters: { label: ["hive.agent"] } })).filter((container) => ours(container.Labels, "hive.agent"));
      return left.length === 0;
    }, `the services' containers to go from ${node.hostname}`, 30_000).catch(() => undefined);
    const { Volumes } = await node.engine.listVolumes({ filters: { label: ["hive.state"] } });
    await Promise.all((Volumes ?? []).filter((volume) => ours(volume.Labels, "hive.state")).map((volume) => node.engine.getVolume(volume.Name).remove().catch(() => undefined)));
  }
  const networks = await cluster.manager.engine.listNetworks({ filters: { label: ["hive.agent"] } });
  await Promise.all(networks.filter((network) => ours(network.Labels, "hive.agent")).map((network) => cluster.manager.engine.getNetwork(network.Id).remove().catch(() => undefined)));
}
