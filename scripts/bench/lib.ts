// Shared pieces for `npm run bench`: a real server process, an engine client, statistics and the report table.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../tests/helpers/ports";
import { createMigratedDatabase, startPostgres } from "../../tests/helpers/postgres";

export const ROOT = path.resolve(__dirname, "../..");
// The engine client, test image, cleanup and SSE reader are the tests' own, so both measure the same way.
export { cleanupAgents, docker, TEST_IMAGE } from "../../tests/helpers/docker";
export { freePort } from "../../tests/helpers/ports";
export { readEvents } from "../../tests/helpers/sse";

export const BENCH_TOKEN = "hive_op_bench-operator-token-0123456789";

export type Row = { metric: string; dashboard: string; raw: string; ratio: string; target: string; verdict: string };
export const rows: Row[] = [];

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export const median = (values: number[]) => percentile(values, 50);
export const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;
const formatFigure = (metric: string, value: number) =>
  metric.includes("(MB") ? `${value.toFixed(0)} MB` : metric.includes("(KiB") ? `${value.toFixed(1)} KiB` : ms(value);

/**
 * Adds a line to the report; `ratio` compares dashboard/raw, `max` the dashboard figure. A line with neither is a figure
 * shown for context (its verdict is "—"); a median beside a p99 target is such a figure: the target is the p99 line's.
 */
export function report(
  metric: string,
  dashboard: number,
  raw: number | null,
  target: { ratio?: number; max?: number; label: string },
) {
  if (!Number.isFinite(dashboard)) return notMeasured(metric, "no samples");
  const ratio = raw ? dashboard / raw : null;
  const judged = target.ratio !== undefined || target.max !== undefined;
  const ok = target.ratio !== undefined ? ratio !== null && ratio <= target.ratio : target.max !== undefined ? dashboard <= target.max : true;
  rows.push({
    metric,
    dashboard: formatFigure(metric, dashboard),
    raw: raw === null ? "—" : formatFigure(metric, raw),
    ratio: ratio === null ? "—" : `${ratio.toFixed(2)}×`,
    target: target.label,
    verdict: !judged ? "—" : ok ? "ok" : "MISSED",
  });
}

/** A line for a figure the run could not take, saying why. */
export function notMeasured(metric: string, reason: string) {
  rows.push({ metric, dashboard: "not measured", raw: "—", ratio: "—", target: reason.slice(0, 90), verdict: "NOT MEASURED" });
}

/** Steps that failed in this run; the run exits non-zero when there are any, after printing every figure it has. */
export const failures: string[] = [];

/**
 * Runs one step of a suite. When it fails, the figures it had not reported yet are marked "not measured" (with the
 * error), the failure is remembered, and the suite goes on with its next step: a degraded engine costs the figures it
 * spoils, not the whole report.
 */
export async function step(title: string, metrics: string[], work: () => Promise<void>): Promise<boolean> {
  try {
    await work();
    return true;
  } catch (error) {
    const reason = (error as Error)?.message ?? String(error);
    console.error(`  ✗ ${title}: ${reason}`);
    failures.push(`${title}: ${reason}`);
    for (const metric of metrics) if (!rows.some((row) => row.metric === metric)) notMeasured(metric, `${title} failed: ${reason}`);
    return false;
  }
}

/**
 * Adds a line for samples taken in pairs (the dashboard's call and the raw one, one right after the other): the median
 * of each pair's ratio. Unlike the ratio of the two medians, it holds when the machine's speed drifts during the run.
 */
export function reportPaired(metric: string, dashboard: number[], raw: number[], target: { ratio: number; label: string }) {
  const ratio = median(dashboard.map((value, index) => value / raw[index]!));
  if (!Number.isFinite(ratio)) return notMeasured(metric, "no samples");
  rows.push({
    metric,
    dashboard: "—",
    raw: "—",
    ratio: `${ratio.toFixed(2)}×`,
    target: target.label,
    verdict: ratio <= target.ratio ? "ok" : "MISSED",
  });
}

/** Reads /api/state as the bench's operator; `containers` is null while the dashboard sees the engine down. */
export async function readState(server: BenchServer) {
  const response = await api(server, "/api/state");
  if (!response.ok) throw new Error(`/api/state answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
  return (await response.json()) as {
    runtime: { status: string; lastError: { code: string; message: string } | null };
    containers: { name: string; state: string; pending: { kind: string } | null }[] | null;
  };
}

export function printReport(title: string) {
  const headers: Row = { metric: "metric", dashboard: "dashboard", raw: "raw engine", ratio: "ratio", target: "target", verdict: "" };
  const all = [headers, ...rows];
  const width = (key: keyof Row) => Math.max(...all.map((row) => row[key].length));
  const line = (row: Row) =>
    (Object.keys(headers) as (keyof Row)[]).map((key) => row[key].padEnd(width(key))).join("  ");
  console.log(`\n${title}\n${"=".repeat(title.length)}`);
  console.log(line(headers));
  console.log((Object.keys(headers) as (keyof Row)[]).map((key) => "-".repeat(width(key))).join("  "));
  for (const row of rows) console.log(line(row));
}

/** The share of the last 10 s in which some task waited for a CPU (Linux PSI), or null where the kernel lacks it. */
export function cpuPressure(): number | null {
  try {
    const some = fs.readFileSync("/proc/pressure/cpu", "utf8").split("\n")[0] ?? "";
    const value = Number(/avg10=([\d.]+)/.exec(some)?.[1]);
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}

/**
 * Waits for the machine to settle after the bench's own setup (creating and starting a fleet keeps the engine and
 * the kernel busy for a minute or more after the last start returns): until the CPU pressure stops falling (less
 * than 2 points in 10 s) or is low, at most `maxMs`. Without PSI it waits a fixed 30 s. Prints what it waited for.
 */
export async function settle(maxMs = Number(process.env.BENCH_SETTLE_MAX_MS ?? 120_000)): Promise<void> {
  const started = Date.now();
  const readings: number[] = [];
  for (;;) {
    const pressure = cpuPressure();
    if (pressure === null) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, maxMs)));
      console.log(`waited ${Math.min(30, maxMs / 1000).toFixed(0)} s for the fleet to settle (no CPU pressure figures here)`);
      return;
    }
    readings.push(pressure);
    const tenSecondsAgo = readings.at(-11);
    const steady = pressure < 10 || (tenSecondsAgo !== undefined && tenSecondsAgo - pressure < 2);
    if (steady || Date.now() - started >= maxMs) {
      const waited = ((Date.now() - started) / 1000).toFixed(0);
      console.log(`settled after ${waited} s: CPU pressure ${readings[0]!.toFixed(0)} % → ${pressure.toFixed(0)} %${steady ? "" : " (gave up waiting)"}`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/**
 * CPU time (user + system, ms) a process has used so far. Unlike a wall time it barely moves with what else the machine
 * runs, so a figure per request compares builds on a busy machine too.
 */
export function processCpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}
/** Linux's USER_HZ, the unit of /proc/<pid>/stat's times, is 100 on every architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** What the server process holds, as its preloaded probe (scripts/bench/process-probe.cjs) last wrote it. */
export type ProcessFigures = { at: number; rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number; handles: number };

export type BenchServer = {
  baseUrl: string;
  child: ChildProcess;
  stop(): Promise<void>;
  rssMb(): number;
  cpuMs(): number;
  /** The server's heap and live handles; only for a server started with `{ probe: true }`. */
  figures(): ProcessFigures;
  /** Open file descriptors of the server process (sockets, files, pipes). */
  openFiles(): number;
};

/**
 * Starts the production server (`node server.mjs`) on a fresh embedded database (or DATABASE_URL when given). With
 * `probe`, the server also writes its heap and handle figures for `figures()` (a preloaded script, no product code).
 */
export async function startBenchServer(env: Record<string, string> = {}, { probe = false } = {}): Promise<BenchServer> {
  if (!fs.existsSync(path.join(ROOT, ".next", "BUILD_ID"))) throw new Error("run `npm run build` first");
  const port = await freePort();
  // BENCH_CPU_PROF=<dir> writes the server's CPU profile there when it stops (node --cpu-prof).
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "hive-bench-"));
  const probeFile = path.join(dataDir, "process-figures.json");
  const preload = probe ? ["--require", path.join(ROOT, "scripts", "bench", "process-probe.cjs")] : [];
  const child = spawn(process.execPath, [...profile, ...preload, "server.mjs"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      TMPDIR: process.env.TMPDIR ?? "",
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(port),
      HIVE_HOST: "127.0.0.1",
      HIVE_DATA_DIR: dataDir,
      ...(probe ? { BENCH_PROBE_FILE: probeFile } : {}),
      HIVE_OPERATOR_TOKEN: BENCH_TOKEN,
      HIVE_PUBLIC_API_URL: `http://127.0.0.1:${port}`,
      LOG_LEVEL: "warn",
      // The engine the bench's own calls use (DOCKER_HOST, else the local socket) is the one the server drives.
      ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
      ...env,
    } as unknown as NodeJS.ProcessEnv,
    // BENCH_SERVER_LOG=<file> keeps the server's own log (JSON lines, warnings and up) for a closer look.
    stdio: ["ignore", process.env.BENCH_SERVER_LOG ? fs.openSync(process.env.BENCH_SERVER_LOG, "a") : "ignore", "inherit"],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  // A busy machine takes far longer than a quiet one to create the embedded database (35-50 s seen under load 20).
  const startDeadline = Date.now() + Number(process.env.BENCH_SERVER_START_MS ?? 180_000);
  for (;;) {
    try {
      if ((await fetch(`${baseUrl}/dashboard-healthz`, { signal: AbortSignal.timeout(5_000) })).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) throw new Error(`bench server exited with ${child.exitCode} while starting`);
    if (Date.now() > startDeadline) {
      // One that never starts is ended, not left behind.
      child.kill("SIGKILL");
      throw new Error("bench server did not start in time (BENCH_SERVER_START_MS)");
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    baseUrl,
    child,
    rssMb() {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, "utf8");
      return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    },
    cpuMs: () => processCpuMs(child.pid!),
    figures() {
      if (!probe) throw new Error("this bench server was started without the process probe");
      return JSON.parse(fs.readFileSync(probeFile, "utf8")) as ProcessFigures;
    },
    openFiles() {
      return fs.readdirSync(`/proc/${child.pid}/fd`).length;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}

export function api(server: BenchServer, pathname: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${BENCH_TOKEN}`);
  if (init.body !== undefined) headers.set("content-type", "application/json");
  return fetch(`${server.baseUrl}${pathname}`, { ...init, headers });
}

/** Runs `work` with the URL of a fresh, migrated database on a PostgreSQL cluster of its own, then removes the cluster. */
export async function onPostgres<T>(work: (url: string) => Promise<T>): Promise<T> {
  const cluster = await startPostgres();
  try {
    return await work(await createMigratedDatabase(cluster.url()));
  } finally {
    cluster.destroy();
  }
}

/** Runs `work` over `items` with at most `limit` at a time (kind to a shared engine and machine). */
export async function inBatches<T>(items: T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (let index = next++; index < items.length; index = next++) await work(items[index]!, index);
    }),
  );
}

/** Clean-ups to run when the bench is interrupted (Ctrl-C, SIGTERM): registered by a suite while it holds something. */
export const onInterrupt = new Set<() => Promise<void>>();
