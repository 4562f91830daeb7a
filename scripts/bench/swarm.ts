// npm run bench swarm: the containers suite on a two-node Docker Swarm made for the run (tests/helpers/swarm-cluster: two
// dockerds in network namespaces of their own), printed beside the same figures on the single shared engine, in one run:
// /api/state vs the live list the driver wraps, restart vs the raw call it wraps, and crash detection of kills on the
// worker node (its container killed through the worker's own engine; the time until the dashboard records the crash).
import { randomBytes } from "node:crypto";
import Docker from "dockerode";
import { cleanupSwarmAgents, startSwarmCluster, type SwarmClusterHandle } from "../../tests/helpers/swarm-cluster";
import { api, type BenchServer, cleanupAgents, docker, median, percentile, readEvents, readState, report, reportPaired, startBenchServer, step, TEST_IMAGE } from "./lib";

/** Agents per fleet: two restart, the others are killed once each (a second kill of one agent would near a crash loop). */
const KILLS = Number(process.env.BENCH_SWARM_KILLS ?? 20);
const COUNT = KILLS + 2;
const LIST_SAMPLES = Number(process.env.BENCH_SWARM_SAMPLES ?? 30);
const RESTARTS = Number(process.env.BENCH_SWARM_RESTARTS ?? 10);

/** What differs between a single engine and the swarm: how agents are made, what the raw calls are, where kills land. */
type Target = {
  label: string;
  serverEnv: Record<string, string>;
  spawnBody: (name: string) => Record<string, unknown>;
  /** The raw calls the driver's list wraps (this installation's agents). */
  rawList: (installation: string) => Promise<unknown>;
  /** The raw restart the driver's restart wraps, answered when the new run runs. */
  rawRestart: (name: string) => Promise<void>;
  /** The engine that runs the killed agents (the worker's own, on the swarm). */
  killEngine: Docker;
  cleanup: (prefix: string) => Promise<void>;
};

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function singleEngine(): Target {
  return {
    label: "single engine",
    serverEnv: {},
    spawnBody: (name) => ({ name, image: TEST_IMAGE, network: "none", memoryMb: 32 }),
    rawList: (installation) => docker.listContainers({ all: true, filters: { label: ["hive.agent", `hive.installation=${installation}`] } }),
    rawRestart: async (name) => void (await docker.getContainer(`hive-${name}`).restart({ t: 10 })),
    killEngine: docker,
    cleanup: cleanupAgents,
  };
}

function swarm(cluster: SwarmClusterHandle): Target {
  const manager = cluster.manager.engine;
  type TaskItem = { ID: string; Status: { State: string } };
  return {
    label: "swarm",
    serverEnv: { HIVE_RUNTIME: "swarm", DOCKER_HOST: cluster.manager.dockerHost, HIVE_SWARM_NODE_ENDPOINTS: cluster.nodeEndpoints },
    // Every agent on the worker, on the node's host network (an isolated overlay per agent is a spawn's cost, not a list's).
    spawnBody: (name) => ({ name, image: cluster.imageId, network: "host", memoryMb: 32, node: cluster.worker.hostname }),
    // The driver's list: the agents' services, then their tasks and the nodes.
    rawList: async (installation) => {
      const services = (await manager.listServices({ filters: { label: ["hive.agent", `hive.installation=${installation}`] } })) as { ID: string }[];
      await Promise.all([manager.listTasks({ filters: { service: services.map((service) => service.ID) } }), manager.listNodes()]);
    },
    // The driver's restart: a forced update of the service, answered once its new task runs.
    rawRestart: async (name) => {
      const service = manager.getService(`hive-${name}`);
      const before = new Set(((await manager.listTasks({ filters: { service: [`hive-${name}`] } })) as TaskItem[]).map((task) => task.ID));
      const spec = (await service.inspect()) as { Version: { Index: number }; Spec: { TaskTemplate: { ForceUpdate?: number } } };
      spec.Spec.TaskTemplate.ForceUpdate = (spec.Spec.TaskTemplate.ForceUpdate ?? 0) + 1;
      await service.update({ _query: { version: spec.Version.Index }, _body: spec.Spec });
      for (;;) {
        const tasks = (await manager.listTasks({ filters: { service: [`hive-${name}`] } })) as TaskItem[];
        if (tasks.some((task) => !before.has(task.ID) && task.Status.State === "running")) return;
        await sleep(150);
      }
    },
    killEngine: cluster.worker.engine,
    cleanup: (prefix) => cleanupSwarmAgents(cluster, prefix),
  };
}

/** Spawns the fleet through the dashboard, a few at a time. */
async function spawnFleet(server: BenchServer, target: Target, names: string[]) {
  const queue = [...names];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let name = queue.shift(); name; name = queue.shift()) {
        const response = await api(server, "/api/agents", { method: "POST", body: JSON.stringify(target.spawnBody(name)) });
        if (response.status !== 201) throw new Error(`spawn ${name} on the ${target.label} failed: ${response.status} ${(await response.text()).slice(0, 200)}`);
      }
    }),
  );
}

async function measure(target: Target) {
  const prefix = `bsw${randomBytes(2).toString("hex")}`;
  const names = Array.from({ length: COUNT }, (_, index) => `${prefix}-${String(index).padStart(2, "0")}`);
  const row = (name: string) => `${target.label}: ${name}`;
  const listRows = [row(`/api/state median (${COUNT} agents) vs a live list`), row(`/api/state p99 (${COUNT} agents) vs a live list`)];
  const restartRows = [row("restart median"), row("restart, pair by pair (median of each pair's ratio)")];
  const crashRows = [row(`crash detection median (kill → crash recorded, ${KILLS} kills)`), row(`crash detection p99 (kill → crash recorded, ${KILLS} kills)`)];
  const server = await startBenchServer(target.serverEnv);
  try {
    console.log(`${target.label}: spawning ${COUNT} agents (${prefix}-*) through the dashboard…`);
    const spawnedAt = performance.now();
    await spawnFleet(server, target, names);
    console.log(`${target.label}: ${COUNT} agents running after ${((performance.now() - spawnedAt) / 1000).toFixed(1)} s`);

    await step(`${target.label}: list`, listRows, async () => {
      const { installation } = (await (await api(server, "/api/diagnostics")).json()) as { installation: string };
      const stateTimes: number[] = [];
      const listTimes: number[] = [];
      for (let sample = 0; sample < LIST_SAMPLES; sample++) {
        listTimes.push(await timed(() => target.rawList(installation)));
        stateTimes.push(await timed(() => readState(server)));
      }
      report(listRows[0]!, median(stateTimes), median(listTimes), { label: "figure (target on p99)" });
      report(listRows[1]!, percentile(stateTimes, 99), percentile(listTimes, 99), { ratio: 1.5, label: "≤ 1.5× raw list" });
    });

    await step(`${target.label}: restart`, restartRows, async () => {
      const [dashboardTarget, rawTarget] = names as [string, string];
      // The raw side's desired state is stopped, so its restarts behind the dashboard's back are not crashes to recover.
      const stopped = await api(server, `/api/agents/${rawTarget}/stop`, { method: "POST", body: JSON.stringify({ timeoutSeconds: 1 }) });
      if (!stopped.ok) throw new Error(`stop failed: ${stopped.status} ${await stopped.text()}`);
      await target.rawRestart(rawTarget);
      const viaDashboard: number[] = [];
      const raw: number[] = [];
      const dashboardRestart = async () => {
        const response = await api(server, `/api/agents/${dashboardTarget}/restart`, { method: "POST", body: "{}" });
        if (!response.ok) throw new Error(`restart failed: ${response.status} ${await response.text()}`);
        await response.json();
      };
      for (let sample = 0; sample < RESTARTS; sample++) {
        // ABBA: neither side always runs right after the other.
        if (sample % 2 === 0) {
          raw.push(await timed(() => target.rawRestart(rawTarget)));
          viaDashboard.push(await timed(dashboardRestart));
        } else {
          viaDashboard.push(await timed(dashboardRestart));
          raw.push(await timed(() => target.rawRestart(rawTarget)));
        }
      }
      report(restartRows[0]!, median(viaDashboard), median(raw), { ratio: 1.1, label: "≤ 1.1× raw restart" });
      reportPaired(restartRows[1]!, viaDashboard, raw, { ratio: 1.1, label: "≤ 1.1× raw restart" });
    });

    await step(`${target.label}: crash detection`, crashRows, async () => {
      const { crash, die } = await measureCrashes(server, target, names.slice(2));
      report(crashRows[0]!, median(crash), median(die), { label: "figure (target on p99)" });
      report(crashRows[1]!, percentile(crash, 99), percentile(die, 99), { max: target.label === "swarm" ? 2000 : 1000, label: target.label === "swarm" ? "≤ 2000 ms" : "≤ 1000 ms" });
    });
  } finally {
    await server.stop();
    console.log(`${target.label}: removing the bench fleet…`);
    await target.cleanup(prefix);
  }
}

/**
 * Kills each agent's container once through the engine that runs it and times the dashboard's crash record (its
 * container_crash notice on a live SSE stream); the raw figure is that engine's own die event on a stream of our own.
 */
async function measureCrashes(server: BenchServer, target: Target, victims: string[]) {
  const controller = new AbortController();
  const recorded = new Map<string, (at: number) => void>();
  const deaths = new Map<string, (at: number) => void>();
  const notices = await api(server, "/api/stream", { signal: controller.signal });
  void readEvents(notices, () => false, {
    timeoutMs: Number.POSITIVE_INFINITY,
    signal: controller.signal,
    onEvent: ({ event, data }) => {
      if (event !== "change") return;
      const notice = JSON.parse(data) as { kind: string; agent: string | null };
      if (notice.kind === "container_crash") recorded.get(notice.agent ?? "")?.(performance.now());
    },
  }).catch(() => undefined);
  const engineEvents = (await target.killEngine.getEvents({
    filters: { type: ["container"], event: ["die"], label: ["hive.agent"] },
    abortSignal: controller.signal,
  } as Parameters<Docker["getEvents"]>[0])) as unknown as NodeJS.ReadableStream;
  let pending = "";
  engineEvents.on("data", (chunk: Buffer) => {
    const lines = (pending + chunk.toString("utf8")).split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines.filter((text) => text.trim())) {
      const event = JSON.parse(line) as { Actor: { Attributes: Record<string, string> } };
      deaths.get(event.Actor.Attributes["hive.agent"] ?? "")?.(performance.now());
    }
  });
  engineEvents.on("error", () => undefined);
  const within = <T>(promise: Promise<T>, what: string) =>
    Promise.race([promise, sleep(30_000).then(() => Promise.reject(new Error(`no ${what} within 30 s`)))]);
  const crash: number[] = [];
  const die: number[] = [];
  try {
    for (const name of victims) {
      const [container] = await target.killEngine.listContainers({ filters: { label: [`hive.agent=${name}`], status: ["running"] } });
      if (!container) throw new Error(`${name} has no running container on the ${target.label}'s engine`);
      const seen = new Promise<number>((resolve) => recorded.set(name, resolve));
      const died = new Promise<number>((resolve) => deaths.set(name, resolve));
      const killedAt = performance.now();
      await target.killEngine.getContainer(container.Id).kill();
      die.push((await within(died, `die event for ${name}`)) - killedAt);
      crash.push((await within(seen, `crash record for ${name}`)) - killedAt);
      if (process.env.BENCH_VERBOSE) console.log(`  ${target.label} crash ${name}: ${crash.at(-1)!.toFixed(0)} ms (die event ${die.at(-1)!.toFixed(0)} ms)`);
    }
  } finally {
    controller.abort();
  }
  return { crash, die };
}

export async function run() {
  await measure(singleEngine());
  const cluster = await startSwarmCluster();
  try {
    await measure(swarm(cluster));
  } finally {
    await cluster.destroy();
  }
}
