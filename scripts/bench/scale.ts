// Scale: a fleet of quiet test agents (1000 by default), made directly through the engine API with the dashboard's
// labels (an engine create + start each, a few at a time), then: /api/state vs the raw list, the page in Chromium,
// 100 SSE clients, 50 operators at once, 1000 waiting questions with 100 agents long-polling, and the server's
// memory at rest and under each load. With BENCH_SOAK (or `-- --soak 20m`) it runs the soak instead.
import { randomBytes } from "node:crypto";
import { ensureTestImage, testImageOfThisScript } from "../../tests/helpers/test-image";
import { api, type BenchServer, docker, inBatches, median, onInterrupt, onPostgres, percentile, readState, report, settle, startBenchServer, step } from "./lib";
import { measurePage } from "./scale-page";
import { measureOperators } from "./scale-operators";
import { measureQuestions } from "./scale-questions";
import { measureSse } from "./scale-sse";
import { parseDuration, soak } from "./scale-soak";

const COUNT = Number(process.env.BENCH_SCALE_AGENTS ?? 1000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 60);
const CREATE_CONCURRENCY = Number(process.env.BENCH_CREATE_CONCURRENCY ?? 6);
/** The dashboard's database: its embedded PGlite (the default), or `postgres` for a PostgreSQL cluster of its own. */
const DATABASE = process.env.BENCH_DATABASE ?? "pglite";
const label = (name: string) => (DATABASE === "postgres" ? `${name}, PostgreSQL` : name);

/** The agents each step acts on, so no two steps touch the same one; the rest only sit in the fleet. */
export type Fleet = {
  prefix: string;
  installation: string;
  names: string[];
  /** The top row of the page (names sort first): its live updates are the page's. */
  pageAgent: string;
  /** Desired stopped (stopped through the dashboard, started again behind its back): raw engine calls land here. */
  raw: string[];
  /** Restarted through the dashboard, one per SSE round. */
  sseTargets: string[];
  /** Raced by every operator at once. */
  contested: string;
  /** One per operator. */
  operated: string[];
};

export const agentName = (prefix: string, index: number) => `${prefix}-${String(index).padStart(4, "0")}`;

/** Splits the fleet between the steps; the operators get what is left after the others, at most 50. */
export function planFleet(prefix: string, installation: string, count: number, operators = Number(process.env.BENCH_OPERATORS ?? 50)): Fleet {
  const names = Array.from({ length: count }, (_, index) => agentName(prefix, index));
  const fixed = 12;
  const perSide = Math.min(operators, Math.floor((count - fixed) / 2));
  if (perSide < 1) throw new Error(`a scale fleet needs at least ${fixed + 2} agents, not ${count}`);
  return {
    prefix,
    installation,
    names,
    pageAgent: names[0]!,
    sseTargets: names.slice(1, 11),
    contested: names[11]!,
    operated: names.slice(fixed, fixed + perSide),
    raw: names.slice(fixed + perSide, fixed + 2 * perSide),
  };
}

/** Made behind the dashboard's back as its own (its installation's label), quiet: one line at boot, then asleep. */
async function createFleet(fleet: Fleet, image: string, signal: AbortSignal) {
  let made = 0;
  await inBatches(fleet.names, CREATE_CONCURRENCY, async (name) => {
    if (signal.aborted) return;
    const container = await docker.createContainer({
      name: `hive-${name}`,
      Image: image,
      Env: [`HIVE_AGENT_NAME=${name}`, "AGENT_QUIET=1"],
      Labels: { "hive.agent": name, "hive.installation": fleet.installation },
      HostConfig: { NetworkMode: "none", Memory: 16 * 1024 * 1024 },
    });
    await container.start();
    if (++made % 100 === 0) console.log(`  ${made}/${fleet.names.length} agents running`);
  });
}

/** Removes every container (and state volume) of the fleet, a few at a time. */
export async function removeFleet(prefix: string) {
  const containers = await docker.listContainers({ all: true, filters: { label: ["hive.agent"] } });
  const ours = containers.filter((container) => container.Labels["hive.agent"]?.startsWith(`${prefix}-`));
  await inBatches(ours, 8, async (container) => {
    await docker.getContainer(container.Id).remove({ force: true }).catch(() => undefined);
  });
  const { Volumes } = await docker.listVolumes({ filters: { label: ["hive.state"] } });
  await inBatches((Volumes ?? []).filter((volume) => volume.Labels?.["hive.state"]?.startsWith(`${prefix}-`)), 8, async (volume) => {
    await docker.getVolume(volume.Name).remove().catch(() => undefined);
  });
  return ours.length;
}

/** The server's RSS, highest of samples every 250 ms while `work` runs. */
export async function peakRss<T>(server: BenchServer, work: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  let peakMb = server.rssMb();
  const timer = setInterval(() => {
    try {
      peakMb = Math.max(peakMb, server.rssMb());
    } catch {
      // the server is gone; the step itself will say so
    }
  }, 250);
  try {
    return { result: await work(), peakMb: Math.max(peakMb, server.rssMb()) };
  } finally {
    clearInterval(timer);
  }
}

export async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

export async function run() {
  if (DATABASE === "postgres") return onPostgres((url) => measure({ DATABASE_URL: url }));
  if (DATABASE !== "pglite") throw new Error(`BENCH_DATABASE is "pglite" (the default) or "postgres", not "${DATABASE}"`);
  return measure({});
}

async function measure(serverEnv: Record<string, string>) {
  await ensureTestImage();
  const image = testImageOfThisScript();
  const prefix = `scale${randomBytes(2).toString("hex")}`;
  const server = await startBenchServer(serverEnv, { probe: true });
  // An interrupted bench stops making agents and waits for the creations under way before it removes the fleet.
  const creating = new AbortController();
  let creation: Promise<unknown> = Promise.resolve();
  const cleanup = async () => {
    creating.abort();
    await creation.catch(() => undefined);
    await server.stop().catch(() => undefined);
    console.log(`removing the scale fleet (${prefix}-*)…`);
    console.log(`  removed ${await removeFleet(prefix)} containers`);
  };
  onInterrupt.add(cleanup);
  console.log(`  bench server pid ${server.child.pid}`);
  try {
    const { installation } = (await (await api(server, "/api/diagnostics")).json()) as { installation: string };
    const fleet = planFleet(prefix, installation, COUNT);
    console.log(`creating ${COUNT} quiet test agents (${prefix}-*), ${CREATE_CONCURRENCY} at a time…`);
    creation = createFleet(fleet, image, creating.signal);
    const createMs = await timed(() => creation);
    if (creating.signal.aborted) throw new Error("interrupted while making the fleet");
    console.log(`  ${COUNT} agents created and started in ${(createMs / 1000).toFixed(0)} s`);
    await waitForFleet(server, fleet);
    await settle();

    const soakFor = process.env.BENCH_SOAK ? parseDuration(process.env.BENCH_SOAK) : null;
    if (soakFor !== null) return await soak(server, fleet, soakFor);

    const rest = server.figures();
    report(label(`server RSS at rest (MB, ${COUNT} agents)`), server.rssMb(), null, { label: "figure" });
    report(label(`server heap used at rest (MB, ${COUNT} agents)`), rest.heapUsed / 1048576, null, { label: "figure" });

    const stateRows = [label(`/api/state p50 (${COUNT} agents, event-fed picture vs a live list)`), label(`/api/state p99 (${COUNT} agents, event-fed picture vs a live list)`), label(`/api/state body (KiB, ${COUNT} agents)`)];
    await step("/api/state at scale", stateRows, async () => {
      const stateTimes: number[] = [];
      const listTimes: number[] = [];
      let bytes = 0;
      for (let sample = 0; sample < SAMPLES; sample++) {
        listTimes.push(await timed(() => docker.listContainers({ all: true, filters: { label: ["hive.agent", `hive.installation=${installation}`] } })));
        stateTimes.push(
          await timed(async () => {
            const response = await api(server, "/api/state");
            if (!response.ok) throw new Error(`/api/state answered ${response.status}`);
            bytes = (await response.arrayBuffer()).byteLength;
          }),
        );
      }
      report(stateRows[0]!, median(stateTimes), median(listTimes), { label: "figure (target on p99)" });
      report(stateRows[1]!, percentile(stateTimes, 99), percentile(listTimes, 99), { ratio: 1.5, label: "≤ 1.5× raw list" });
      report(stateRows[2]!, bytes / 1024, null, { label: "figure (uncompressed)" });
    });

    // The raw side's agents: desired stopped, so the engine calls the bench makes on them are not crashes to recover.
    await step("raw agents set aside", [], async () => {
      await inBatches(fleet.raw, 8, async (name) => {
        const response = await api(server, `/api/agents/${name}/stop`, { method: "POST", body: JSON.stringify({ timeoutSeconds: 2 }) });
        if (!response.ok) throw new Error(`stop ${name}: ${response.status} ${await response.text()}`);
        await docker.getContainer(`hive-${name}`).start();
      });
    });

    await measurePage(server, fleet, label);
    await measureSse(server, fleet, label);
    await measureOperators(server, fleet, label);
    await measureQuestions(server, fleet, label);
    const end = server.figures();
    report(label("server RSS after every load (MB)"), server.rssMb(), null, { label: "figure" });
    report(label("server heap used after every load (MB)"), end.heapUsed / 1048576, null, { label: "figure" });
    console.log(`  live handles: ${rest.handles} at rest, ${end.handles} after every load; open files ${server.openFiles()}`);
  } finally {
    onInterrupt.delete(cleanup);
    await cleanup();
  }
}

/** Until the dashboard lists the whole fleet (its reconcile poll adopts what the engine made behind its back). */
async function waitForFleet(server: BenchServer, fleet: Fleet) {
  const started = Date.now();
  for (;;) {
    const state = await readState(server).catch(() => null);
    const seen = state?.containers?.filter((container) => container.name.startsWith(`${fleet.prefix}-`)).length ?? 0;
    if (seen >= fleet.names.length) break;
    if (Date.now() - started > 120_000) throw new Error(`the dashboard lists ${seen} of ${fleet.names.length} agents after 120 s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  console.log(`  the dashboard lists all ${fleet.names.length} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
