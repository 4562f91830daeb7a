// Soak: a bounded stretch of ordinary work on the fleet (an operator restarting agents, dashboards opening and
// closing streams and re-reading the state, agents asking, long-polling and being answered or left to expire), with
// the server's RSS, heap and live handles sampled every 30 s, printed as they come and judged for growth at the end.
import { api, type BenchServer, median, readEvents, rows, type ProcessFigures } from "./lib";
import type { Fleet } from "./scale";

const SAMPLE_MS = Number(process.env.BENCH_SOAK_SAMPLE_S ?? 30) * 1000;
const STREAMS = 10;

/** "20m", "90s", "1h", or a number of seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new Error(`--soak takes a duration such as 20m, 90s or 1h, not "${text}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? "s") as "ms" | "s" | "m" | "h"];
  return Number(match[1]) * unit;
}

type Sample = ProcessFigures & { minute: number; openFiles: number };

/** Growth from the first third of the samples to the last third (medians, so one GC does not decide it). */
export function growth(samples: number[]): { from: number; to: number; ratio: number } {
  const third = Math.max(1, Math.floor(samples.length / 3));
  const from = median(samples.slice(0, third));
  const to = median(samples.slice(-third));
  return { from, to, ratio: to / from };
}

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });

/** Runs `work` again and again until `signal` aborts, counting what failed rather than stopping. */
async function loop(signal: AbortSignal, counts: { done: number; failed: number; lastError: string }, work: () => Promise<void>) {
  while (!signal.aborted) {
    try {
      await work();
      counts.done++;
    } catch (error) {
      if (signal.aborted) return;
      counts.failed++;
      counts.lastError = (error as Error).message;
      await pause(1_000, signal);
    }
  }
}

export async function soak(server: BenchServer, fleet: Fleet, durationMs: number) {
  const minutes = durationMs / 60_000;
  console.log(`soaking for ${minutes.toFixed(1)} min with ${fleet.names.length} agents: restarts, stream churn, state reads, questions; a sample every ${SAMPLE_MS / 1000} s`);
  const stop = new AbortController();
  const counts = { done: 0, failed: 0, lastError: "" };
  const started = Date.now();
  const samples: Sample[] = [];
  const sample = () => {
    let taken: Sample;
    try {
      taken = { ...server.figures(), rss: server.rssMb() * 1048576, minute: (Date.now() - started) / 60_000, openFiles: server.openFiles() };
    } catch (error) {
      // The server is gone (an interrupted bench is stopping it): nothing to sample, and the clean-up must go on.
      console.warn(`  no sample: ${(error as Error).message}`);
      return;
    }
    samples.push(taken);
    console.log(
      `  ${taken.minute.toFixed(1).padStart(5)} min  RSS ${(taken.rss / 1048576).toFixed(0)} MB  heap ${(taken.heapUsed / 1048576).toFixed(0)}/${(taken.heapTotal / 1048576).toFixed(0)} MB  handles ${taken.handles}  files ${taken.openFiles}  (work done ${counts.done}, failed ${counts.failed})`,
    );
  };
  const token = ((await (await api(server, "/api/agent-tokens", { method: "POST", body: JSON.stringify({ agent: fleet.names[0] }) })).json()) as { token: string }).token;
  const agent = (pathname: string, init: RequestInit = {}) =>
    fetch(`${server.baseUrl}${pathname}`, { ...init, signal: stop.signal, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } });
  const ok = async (response: Promise<Response>, what: string) => {
    const answered = await response;
    const body = await answered.text();
    if (!answered.ok) throw new Error(`${what} answered ${answered.status}: ${body.slice(0, 120)}`);
    return body;
  };

  let round = 0;
  let questions = 0;
  const workers = [
    // An operator restarting agents one after another.
    loop(stop.signal, counts, async () => {
      const name = fleet.sseTargets[round++ % fleet.sseTargets.length]!;
      await ok(api(server, `/api/agents/${name}/restart`, { method: "POST", body: "{}", signal: stop.signal }), `restart ${name}`);
      await pause(1_000, stop.signal);
    }),
    // A page's heartbeat read of the whole state.
    loop(stop.signal, counts, async () => {
      await ok(api(server, "/api/state", { signal: stop.signal }), "/api/state");
      await pause(1_000, stop.signal);
    }),
    // Dashboards coming and going: each stream stays open for 10 × 3 s, then another takes its place.
    ...Array.from({ length: STREAMS }, async (_, index) => {
      await pause(index * 3_000, stop.signal);
      await loop(stop.signal, counts, async () => {
        const controller = new AbortController();
        const end = () => controller.abort();
        stop.signal.addEventListener("abort", end, { once: true });
        const timer = setTimeout(end, STREAMS * 3_000);
        try {
          const response = await api(server, "/api/stream", { signal: controller.signal });
          await readEvents(response, () => false, { timeoutMs: Number.POSITIVE_INFINITY, signal: controller.signal });
        } catch (error) {
          if (!controller.signal.aborted) throw error;
        } finally {
          clearTimeout(timer);
          stop.signal.removeEventListener("abort", end);
        }
      });
    }),
    // An agent asking and long-polling; every other question is answered (ttl 120 s, so a slow machine does not race
    // its expiry), the rest expire (ttl 10 s).
    loop(stop.signal, counts, async () => {
      const asking = ++questions;
      const asked = JSON.parse(await ok(agent("/api/agent/questions", { method: "POST", body: JSON.stringify({ question: `Soak ${asking}?`, ttl_seconds: asking % 2 === 0 ? 120 : 10 }) }), "ask")) as { id: string };
      const waiting = ok(agent(`/api/agent/questions/${asked.id}?wait_seconds=15`), "long poll");
      if (asking % 2 === 0) await ok(api(server, `/api/questions/${asked.id}/answer`, { method: "POST", body: JSON.stringify({ text: "soaked" }), signal: stop.signal }), "answer");
      await waiting;
      await pause(2_000, stop.signal);
    }),
  ];

  sample();
  const sampler = setInterval(sample, SAMPLE_MS);
  await pause(durationMs, new AbortController().signal);
  clearInterval(sampler);
  sample();
  stop.abort();
  await Promise.all(workers);

  const rss = growth(samples.map((taken) => taken.rss / 1048576));
  const heap = growth(samples.map((taken) => taken.heapUsed / 1048576));
  const handles = growth(samples.map((taken) => taken.handles));
  const files = growth(samples.map((taken) => taken.openFiles));
  const title = `soak ${minutes.toFixed(0)} min, ${fleet.names.length} agents`;
  const judged = (metric: string, figure: { from: number; to: number; ratio: number }, unit: string, limit: number) =>
    rows.push({
      metric: `${title}: ${metric} (first third → last third, medians)`,
      dashboard: `${figure.from.toFixed(0)} → ${figure.to.toFixed(0)}${unit}`,
      raw: "—",
      ratio: `${figure.ratio.toFixed(2)}×`,
      target: `≤ ${limit.toFixed(2)}× (no growth)`,
      verdict: figure.ratio <= limit ? "ok" : "MISSED",
    });
  judged("server RSS", rss, " MB", 1.1);
  judged("server heap used", heap, " MB", 1.1);
  judged("live handles", handles, "", 1.1);
  judged("open files", files, "", 1.1);
  rows.push({ metric: `${title}: work done / failed`, dashboard: `${counts.done} / ${counts.failed}`, raw: "—", ratio: "—", target: "0 failed", verdict: counts.failed === 0 ? "ok" : "MISSED" });
  if (counts.failed) console.warn(`  last failure: ${counts.lastError}`);
}
