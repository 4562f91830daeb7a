// Containers panel: /api/state vs the raw engine list, restart vs the raw engine restart, crash detection
// latency (engine kill -> container_crash event), and how fast an action reaches a second dashboard.
import { randomBytes } from "node:crypto";
import { api, cleanupAgents, cpuPressure, docker, median, onPostgres, rows, percentile, readEvents, readState, report, reportPaired, settle, startBenchServer, step, TEST_IMAGE } from "./lib";

const COUNT = Number(process.env.BENCH_AGENTS ?? 200);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 60);
/** The dashboard's database: its embedded PGlite (the default), or `postgres` for a PostgreSQL cluster of its own. */
const DATABASE = process.env.BENCH_DATABASE ?? "pglite";

async function timed<T>(work: () => Promise<T>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** Made behind the dashboard's back as its own: with its installation's label (it leaves others' agents alone). */
async function createFleet(prefix: string, installation: string) {
  const names = Array.from({ length: COUNT }, (_, index) => `${prefix}-${String(index).padStart(3, "0")}`);
  const queue = [...names];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let name = queue.shift(); name; name = queue.shift()) {
        const container = await docker.createContainer({
          name: `hive-${name}`,
          Image: TEST_IMAGE,
          Labels: { "hive.agent": name, "hive.installation": installation },
          HostConfig: { NetworkMode: "none", Memory: 32 * 1024 * 1024 },
        });
        await container.start();
      }
    }),
  );
  return names;
}

export async function run() {
  if (DATABASE === "postgres") return onPostgres((url) => measure({ DATABASE_URL: url }));
  if (DATABASE !== "pglite") throw new Error(`BENCH_DATABASE is "pglite" (the default) or "postgres", not "${DATABASE}"`);
  return measure({});
}

/** CPU time of the dashboard's process while it answered: steady when the machine is busy, unlike the wall times. */
const CPU_LABEL = "figure (CPU time, steady under load)";

/** The metric's name, marked when the figures are not the embedded database's. */
const metric = (name: string) => (DATABASE === "postgres" ? `${name}, PostgreSQL` : name);

async function measure(serverEnv: Record<string, string>) {
  const prefix = `bench${randomBytes(2).toString("hex")}`;
  const server = await startBenchServer(serverEnv);
  let installation = "";
  let names: string[];
  try {
    ({ installation } = (await (await api(server, "/api/diagnostics")).json()) as { installation: string });
    console.log(`creating ${COUNT} test-agent containers (${prefix}-*)…`);
    names = await createFleet(prefix, installation);
  } catch (error) {
    await server.stop();
    await cleanupAgents(prefix);
    throw error;
  }
  // names[0] and [1] restart; up to 20 agents crash; up to 15 more carry the second-dashboard samples.
  const crashNames = names.slice(2, Math.min(22, COUNT - 1));
  const pillNames = names.slice(2 + crashNames.length, 17 + crashNames.length);
  const stateRows = [
    metric(`/api/state median (${COUNT} agents, event-fed picture vs a live list)`),
    metric(`/api/state p99 (${COUNT} agents, event-fed picture vs a live list)`),
    metric(`server CPU per /api/state (${COUNT} agents)`),
  ];
  const restartRows = [metric("restart median"), metric("restart, pair by pair (median of each pair's ratio)"), metric("server CPU per restart")];
  const crashRows = [metric("crash detection median (kill → event)"), metric("crash detection p99 (kill → event)")];
  const pillRows = [
    metric("action → second dashboard notified (median)"),
    metric("action → second dashboard shows the pill (median)"),
    metric("action → second dashboard shows the pill (p99)"),
    metric("action → second dashboard: pill never seen"),
  ];
  try {
    // Let the crash watch adopt the fleet and warm the engine-side caches. While the dashboard sees the engine down
    // (its picture is then empty: `containers: null`), it says so and goes on after a short while.
    let downSince: number | null = null;
    for (let attempt = 0; attempt < 100; attempt++) {
      const state = await readState(server).catch(() => null);
      if ((state?.containers?.filter((container) => container.name.startsWith(prefix)).length ?? 0) >= COUNT) break;
      if (state && state.runtime.status !== "up") {
        downSince ??= Date.now();
        if (Date.now() - downSince > 5_000) {
          console.warn(`  the dashboard sees the engine ${state.runtime.status} (${state.runtime.lastError?.code ?? "no error"}): measuring what it can`);
          break;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // Measure the fleet in its steady state, not the engine still busy with the 200 starts that made it.
    await settle();

    // /api/state vs GET /containers/json, interleaved. The state is served from the event-fed picture (engine events
    // and reconcile polls), not from a list call per request: the raw figure is what a live list would cost instead.
    await step("/api/state", stateRows, async () => {
      const stateTimes: number[] = [];
      const listTimes: number[] = [];
      let serverCpu = 0;
      for (let sample = 0; sample < SAMPLES; sample++) {
        listTimes.push(await timed(() => docker.listContainers({ all: true, filters: { label: ["hive.agent", `hive.installation=${installation}`] } })));
        const cpuBefore = server.cpuMs();
        stateTimes.push(await timed(() => readState(server)));
        serverCpu += server.cpuMs() - cpuBefore;
      }
      if (process.env.BENCH_VERBOSE) console.log(`  /api/state: ${stateTimes.map((t) => t.toFixed(0)).join(" ")}\n  raw list:   ${listTimes.map((t) => t.toFixed(0)).join(" ")}`);
      report(stateRows[0]!, median(stateTimes), median(listTimes), { label: "figure (target on p99)" });
      report(stateRows[1]!, percentile(stateTimes, 99), percentile(listTimes, 99), { ratio: 1.5, label: "≤ 1.5× raw list" });
      report(stateRows[2]!, serverCpu / SAMPLES, null, { label: CPU_LABEL });
    });

    // Restart through the dashboard vs the engine's own restart, alternating on two like agents. The raw one's
    // desired state is "stopped" (stopped through the dashboard, started again behind its back), so the crash watch
    // takes its restarts for what they are rather than crashes to record and recover while the next sample runs.
    await step("restart", restartRows, async () => {
      const target = names[0]!;
      const rawTarget = names[1]!;
      const stopped = await api(server, `/api/agents/${rawTarget}/stop`, { method: "POST", body: JSON.stringify({ timeoutSeconds: 1 }) });
      if (!stopped.ok) throw new Error(`stop failed: ${stopped.status} ${await stopped.text()}`);
      const { Id } = await docker.getContainer(`hive-${rawTarget}`).inspect();
      await docker.getContainer(Id).start();
      const restartDashboard: number[] = [];
      const restartRaw: number[] = [];
      const raw = async () => restartRaw.push(await timed(() => docker.getContainer(Id).restart({ t: 10 })));
      let serverCpu = 0;
      const throughDashboard = async () => {
        const cpuBefore = server.cpuMs();
        restartDashboard.push(
          await timed(async () => {
            const response = await api(server, `/api/agents/${target}/restart`, { method: "POST", body: "{}" });
            if (!response.ok) throw new Error(`restart failed: ${response.status} ${await response.text()}`);
            if (process.env.BENCH_VERBOSE) console.log(`  restart: ${response.headers.get("server-timing")}`);
            await response.json();
          }),
        );
        serverCpu += server.cpuMs() - cpuBefore;
      };
      // Alternate the order (ABBA) so neither side always runs right after the other's restart.
      const RESTARTS = Number(process.env.BENCH_RESTARTS ?? 60);
      const pressureBefore = cpuPressure();
      for (let sample = 0; sample < RESTARTS; sample++) {
        if (sample % 2 === 0) {
          await raw();
          await throughDashboard();
        } else {
          await throughDashboard();
          await raw();
        }
      }
      // The machine's own load while the restarts ran: when it drifts, so do both sides' times.
      const pressure = (value: number | null) => (value === null ? "n/a" : `${value.toFixed(0)} %`);
      const third = Math.max(1, Math.floor(RESTARTS / 3));
      console.log(
        `  raw restart median: first ${third} pairs ${median(restartRaw.slice(0, third)).toFixed(0)} ms, last ${third} ${median(restartRaw.slice(-third)).toFixed(0)} ms;` +
          ` CPU pressure (some, last 10 s) ${pressure(pressureBefore)} before, ${pressure(cpuPressure())} after`,
      );
      if (process.env.BENCH_VERBOSE) console.log(`  raw restarts: ${restartRaw.map((t) => t.toFixed(0)).join(" ")}\n  dashboard:    ${restartDashboard.map((t) => t.toFixed(0)).join(" ")}`);
      report(restartRows[0]!, median(restartDashboard), median(restartRaw), { ratio: 1.1, label: "≤ 1.1× raw restart" });
      reportPaired(restartRows[1]!, restartDashboard, restartRaw, { ratio: 1.1, label: "≤ 1.1× raw restart" });
      report(restartRows[2]!, serverCpu / RESTARTS, null, { label: CPU_LABEL });
    });

    // Crash detection and the second dashboard, both seen through a live SSE connection.
    const controller = new AbortController();
    const stream = await api(server, "/api/stream", { signal: controller.signal });
    const waiters = new Map<string, (at: number) => void>();
    void readEvents(stream, () => false, {
      timeoutMs: Number.POSITIVE_INFINITY,
      signal: controller.signal,
      onEvent: ({ event, data }) => {
        if (event !== "change") return;
        const notice = JSON.parse(data) as { kind: string; agent: string | null };
        waiters.get(`${notice.kind}:${notice.agent}`)?.(performance.now());
      },
    }).catch(() => undefined);
    const waitFor = (kind: string, agent: string) =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${kind} notice for ${agent} within 15 s`)), 15_000);
        waiters.set(`${kind}:${agent}`, (at) => {
          clearTimeout(timer);
          waiters.delete(`${kind}:${agent}`);
          resolve(at);
        });
      });

    await step("crash detection", crashRows, async () => {
      // The raw figure is the engine's own "die" event on a stream of our own: the earliest anyone can know.
      const engineEvents = new AbortController();
      const deaths = new Map<string, (at: number) => void>();
      const rawStream = (await docker.getEvents({
        filters: { type: ["container"], event: ["die"], label: ["hive.agent"] },
        abortSignal: engineEvents.signal,
      } as Parameters<typeof docker.getEvents>[0])) as unknown as NodeJS.ReadableStream;
      let pending = "";
      rawStream.on("data", (chunk: Buffer) => {
        const lines = (pending + chunk.toString("utf8")).split("\n");
        pending = lines.pop() ?? "";
        for (const line of lines.filter((text) => text.trim())) {
          const event = JSON.parse(line) as { Actor: { Attributes: Record<string, string> } };
          deaths.get(event.Actor.Attributes["hive.agent"] ?? "")?.(performance.now());
        }
      });
      rawStream.on("error", () => undefined);
      const crashLatency: number[] = [];
      const dieLatency: number[] = [];
      try {
        for (const name of crashNames) {
          const seen = waitFor("container_crash", name);
          const died = new Promise<number>((resolve) => deaths.set(name, resolve));
          const killedAt = performance.now();
          await docker.getContainer(`hive-${name}`).kill();
          dieLatency.push((await died) - killedAt);
          crashLatency.push((await seen) - killedAt);
          if (process.env.BENCH_VERBOSE) console.log(`  crash ${name}: ${(crashLatency.at(-1) ?? 0).toFixed(1)} ms (engine die event ${(dieLatency.at(-1) ?? 0).toFixed(1)} ms)`);
        }
      } finally {
        engineEvents.abort();
      }
      report(crashRows[0]!, median(crashLatency), median(dieLatency), { label: "figure (target on p99)" });
      report(crashRows[1]!, percentile(crashLatency, 99), percentile(dieLatency, 99), { max: 1000, label: "≤ 1000 ms" });
    });

    await step("second dashboard", pillRows, async () => {
      // The second-dashboard figures start from a quiet fleet: the crashed agents' recovery restarts are over.
      const crashed = new Set(crashNames);
      for (let attempt = 0; attempt < 150; attempt++) {
        const { containers } = await readState(server);
        if (!containers) break; // the engine is down to the dashboard: there is no quiet to wait for
        if (containers.every((container) => !container.pending && (!crashed.has(container.name) || container.state === "running"))) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const noticeLatency: number[] = [];
      const stateLatency: number[] = [];
      const missed: string[] = [];
      const samples = pillNames;
      for (const name of samples) {
        const seen = waitFor("action_started", name);
        const sentAt = performance.now();
        const action = api(server, `/api/agents/${name}/restart`, { method: "POST", body: "{}" });
        // A refused action has no notice to wait for.
        const refused = action.then(async (response) => (response.ok ? new Promise<never>(() => undefined) : Promise.reject(new Error(`restart answered ${response.status}: ${(await response.clone().text()).slice(0, 120)}`))));
        const noticeAt = await Promise.race([seen, refused]);
        noticeLatency.push(noticeAt - sentAt);
        const { containers } = await readState(server);
        const shownAt = performance.now();
        // A pill that was already gone was never seen: that sample is a miss, not a latency.
        if (containers?.find((container) => container.name === name)?.pending) stateLatency.push(shownAt - sentAt);
        else missed.push(name);
        await (await action).text();
      }
      if (process.env.BENCH_VERBOSE) console.log(`  notified: ${noticeLatency.map((t) => t.toFixed(0)).join(" ")}\n  pill shown: ${stateLatency.map((t) => t.toFixed(0)).join(" ")}`);
      if (missed.length) console.warn(`  the pill was already gone when the second dashboard looked, for: ${missed.join(", ")}`);
      report(pillRows[0]!, median(noticeLatency), null, { max: 250, label: "≤ 250 ms" });
      report(pillRows[1]!, median(stateLatency), null, { label: "figure (target on p99)" });
      report(pillRows[2]!, percentile(stateLatency, 99), null, { max: 250, label: "≤ 250 ms" });
      rows.push({ metric: pillRows[3]!, dashboard: `${missed.length} of ${samples.length}`, raw: "—", ratio: "—", target: "0", verdict: missed.length ? "MISSED" : "ok" });
    });
    controller.abort();
    console.log(`server RSS with ${COUNT} agents: ${server.rssMb().toFixed(0)} MB`);
  } finally {
    await server.stop();
    console.log("removing the bench fleet…");
    await cleanupAgents(prefix);
  }
}
