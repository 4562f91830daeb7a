// Foundation: time from `npm start` (an up-to-date build) to the first 200 on /dashboard-healthz, the server's
// memory with the embedded database and with PostgreSQL, and /dashboard-healthz latency with the engine up and
// hung (it takes requests and never answers, as the README promises the probe copes with), beside the raw engine ping,
// and the dashboard page's first-load weight in Chromium.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEngineProxy } from "../../tests/helpers/engine-proxy";
import { measurePageWeight, PAGE_WEIGHT_ROWS } from "./page-weight";
import { BENCH_TOKEN, docker, freePort, median, onPostgres, percentile, report, ROOT, startBenchServer, step, type BenchServer } from "./lib";

const SAMPLES = Number(process.env.BENCH_HEALTH_SAMPLES ?? 200);

async function healthLatency(server: BenchServer): Promise<number[]> {
  const times: number[] = [];
  for (let sample = 0; sample < SAMPLES; sample++) {
    const started = performance.now();
    const response = await fetch(`${server.baseUrl}/dashboard-healthz`);
    await response.json();
    times.push(performance.now() - started);
  }
  return times;
}

async function settledRss(server: BenchServer): Promise<number> {
  for (let request = 0; request < 50; request++) await (await fetch(`${server.baseUrl}/api/state`, { headers: { authorization: `Bearer ${BENCH_TOKEN}` } })).text();
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  return server.rssMb();
}

async function timeToFirstHealthy(): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ["scripts/start.mjs"], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HIVE_HOST: "127.0.0.1",
      HIVE_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "hive-bench-start-")),
      HIVE_OPERATOR_TOKEN: BENCH_TOKEN,
      LOG_LEVEL: "warn",
    },
    stdio: "ignore",
  });
  try {
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/dashboard-healthz`)).status === 200) return performance.now() - started;
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null) throw new Error("npm start exited");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  }
}

export async function run() {
  await step("npm start", ["npm start → first 200 on /dashboard-healthz (fresh data dir, median of 3)"], async () => {
    const startups: number[] = [];
    for (let run = 0; run < 3; run++) startups.push(await timeToFirstHealthy());
    report("npm start → first 200 on /dashboard-healthz (fresh data dir, median of 3)", median(startups), null, { label: "figure" });
  });

  const upRows = ["server RSS with PGlite (MB)", "/dashboard-healthz median, engine up", "/dashboard-healthz p99, engine up"];
  await step("engine up", upRows, async () => {
    const pgliteServer = await startBenchServer();
    try {
      const rss = await settledRss(pgliteServer);
      console.log(`server RSS with PGlite: ${rss.toFixed(0)} MB`);
      report(upRows[0]!, rss, null, { label: "figure" });
      const pings: number[] = [];
      for (let sample = 0; sample < SAMPLES; sample++) {
        const started = performance.now();
        await docker.ping();
        pings.push(performance.now() - started);
      }
      const up = await healthLatency(pgliteServer);
      report(upRows[1]!, median(up), median(pings), { label: "figure (raw: engine ping; target on p99)" });
      report(upRows[2]!, percentile(up, 99), percentile(pings, 99), { max: 1000, label: "≤ 1000 ms" });
    } finally {
      await pgliteServer.stop();
    }
  });

  await step("page weight", PAGE_WEIGHT_ROWS, async () => {
    const server = await startBenchServer();
    try {
      await measurePageWeight(server);
    } finally {
      await server.stop();
    }
  });

  // A hung engine: the dashboard's engine calls reach a socket that takes them and never answers.
  const hungRows = ["/dashboard-healthz median, engine hung", "/dashboard-healthz p99, engine hung"];
  await step("engine hung", hungRows, async () => {
    const proxy = await startEngineProxy(process.env.DOCKER_HOST?.replace(/^unix:\/\//, "") ?? "/var/run/docker.sock");
    proxy.hang(/./);
    try {
      const hungServer = await startBenchServer({ DOCKER_HOST: proxy.dockerHost });
      try {
        const health = (await (await fetch(`${hungServer.baseUrl}/dashboard-healthz`)).json()) as { runtime: { status: string; lastError: { code: string } | null } };
        console.log(`  engine hung: the probe says ${health.runtime.status} (${health.runtime.lastError?.code ?? "no error"})`);
        const times = await healthLatency(hungServer);
        report(hungRows[0]!, median(times), null, { label: "figure (target on p99)" });
        report(hungRows[1]!, percentile(times, 99), null, { max: 1000, label: "≤ 1000 ms" });
      } finally {
        proxy.release();
        await hungServer.stop();
      }
    } finally {
      await proxy.close();
    }
  });

  await step("PostgreSQL", ["server RSS with PostgreSQL (MB)"], () =>
    onPostgres(async (url) => {
      const postgresServer = await startBenchServer({ DATABASE_URL: url });
      try {
        const rss = await settledRss(postgresServer);
        console.log(`server RSS with PostgreSQL: ${rss.toFixed(0)} MB`);
        report("server RSS with PostgreSQL (MB)", rss, null, { label: "figure" });
      } finally {
        await postgresServer.stop();
      }
    }),
  );
}
