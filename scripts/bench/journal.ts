// Journal viewer: a 5000-line read through the dashboard vs the engine's own logs call, follow latency (line
// printed → on the SSE stream, side by side with the engine's own follow stream, and → shown in Chromium), and the
// longest main-thread task in Chromium while 5000 long lines render and scroll.
import { randomBytes } from "node:crypto";
import { setMaxListeners } from "node:events";
import http from "node:http";
import { chromium } from "@playwright/test";
import { ensureTestImage } from "../../tests/helpers/test-image";
import { api, BENCH_TOKEN, cleanupAgents, median, percentile, readEvents, report, settle, startBenchServer, step, TEST_IMAGE } from "./lib";

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 30);
const FOLLOW_SECONDS = Number(process.env.BENCH_FOLLOW_SECONDS ?? 20);
const ENGINE_SOCKET = (process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock").replace(/^unix:\/\//, "");
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

/**
 * A GET read to its last byte with Node's own HTTP client, taken off in bulk as a fast client would (a 'data' event
 * per engine flush costs a third more). Both sides of the read comparison use it, so neither pays for a heavier client.
 */
function getBytes(target: http.RequestOptions, onData?: (chunk: Buffer) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(target, (response) => {
      let bytes = 0;
      response.on("readable", () => {
        for (let chunk = response.read() as Buffer | null; chunk !== null; chunk = response.read() as Buffer | null) {
          bytes += chunk.length;
          onData?.(chunk);
        }
      });
      response.on("end", () => (response.statusCode === 200 ? resolve(bytes) : reject(new Error(`GET ${target.path}: ${response.statusCode}`))));
      response.on("error", reject);
    });
    request.on("error", reject);
  });
}

/** The engine's logs endpoint read to its last byte over the socket: the call the dashboard's read wraps. */
function engineGet(path: string, signal?: AbortSignal, onData?: (chunk: Buffer) => void): Promise<number> {
  return getBytes({ socketPath: ENGINE_SOCKET, path, signal }, onData);
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

async function spawn(server: Awaited<ReturnType<typeof startBenchServer>>, name: string, env: Record<string, string>) {
  const response = await api(server, "/api/agents", { method: "POST", body: JSON.stringify({ name, image: TEST_IMAGE, network: "none", env }) });
  if (response.status !== 201) throw new Error(`spawn ${name} failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { agent: { containerId: string } }).agent.containerId;
}

const PROBE_FOLLOWS = 60;

/** Times `work` every `everyMs` until `signal` aborts. */
async function sampleUntil(signal: AbortSignal, everyMs: number, work: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  while (!signal.aborted) {
    times.push(await timed(work));
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return times;
}

const printedAt = (text: string) => Number(/ t=(\d+)$/.exec(text)?.[1] ?? Number.NaN);

export async function run() {
  await ensureTestImage();
  const prefix = `benchj${randomBytes(2).toString("hex")}`;
  const big = `${prefix}-big`;
  const ticker = `${prefix}-tick`;
  // One client opens 60 follows below (the per-client limit is 20 by default).
  const server = await startBenchServer({ HIVE_LOG_FOLLOWS_PER_CLIENT: String(PROBE_FOLLOWS) });
  try {
    for (let attempt = 0; ; attempt++) {
      const health = (await (await fetch(`${server.baseUrl}/dashboard-healthz`)).json()) as { runtime: { status: string } };
      if (health.runtime.status === "up") break;
      if (attempt > 100) throw new Error("the engine monitor never came up");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const bigId = await spawn(server, big, { AGENT_BURST_LINES: "6000", AGENT_LINE_BYTES: "200", AGENT_TICK_S: "100000" });
    for (let attempt = 0; ; attempt++) {
      const body = (await (await api(server, `/api/agents/${big}/logs?lines=5000`)).json()) as { lines: unknown[] };
      if (body.lines.length === 5000) break;
      if (attempt > 100) throw new Error("the burst never reached the log");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    // Measure a settled machine, not the engine still busy with an earlier suite's fleet or this burst.
    await settle();

    // 5000 lines: the dashboard's read (stamps on, as the viewer asks) vs the engine's logs call, interleaved.
    await step("5000-line read", ["5000-line read median", "5000-line read p99", "server CPU per 5000-line read"], async () => {
      const dashboardTimes: number[] = [];
      const engineTimes: number[] = [];
      let dashboardBytes = 0;
      let engineBytes = 0;
      const WARM_UP = 10;
      let serverCpu = 0;
      for (let sample = 0; sample < SAMPLES + WARM_UP; sample++) {
        const engine = await timed(async () => {
          engineBytes = await engineGet(`/containers/${bigId}/logs?stdout=1&stderr=1&tail=5000&timestamps=1`);
        });
        const cpuBefore = server.cpuMs();
        const dashboard = await timed(async () => {
          // Received in full, as bytes, by the same client as the engine side.
          const { hostname, port } = new URL(server.baseUrl);
          dashboardBytes = await getBytes({
            host: hostname,
            port,
            path: `/api/agents/${big}/logs?lines=5000&source=all&timestamps=true`,
            headers: { Authorization: `Bearer ${BENCH_TOKEN}` },
          });
        });
        if (sample < WARM_UP) continue; // both sides settle (the server's code is compiled on first use)
        serverCpu += server.cpuMs() - cpuBefore;
        engineTimes.push(engine);
        dashboardTimes.push(dashboard);
      }
      if (process.env.BENCH_VERBOSE) {
        console.log(`  dashboard reads (ms): ${dashboardTimes.map((time) => time.toFixed(0)).join(" ")}`);
        console.log(`  engine reads (ms):    ${engineTimes.map((time) => time.toFixed(0)).join(" ")}`);
      }
      console.log(`  5000-line read: dashboard ${(dashboardBytes / 1024).toFixed(0)} KiB of JSON, engine ${(engineBytes / 1024).toFixed(0)} KiB framed`);
      report("5000-line read median", median(dashboardTimes), median(engineTimes), { ratio: 1.5, label: "≤ 1.5× raw logs call" });
      report("5000-line read p99", percentile(dashboardTimes, 99), percentile(engineTimes, 99), { ratio: 1.5, label: "≤ 1.5× raw logs call" });
      // What the read costs the dashboard's process, whatever else the machine runs (36 ms before the core refactor).
      report("server CPU per 5000-line read", serverCpu / SAMPLES, null, { label: "figure (CPU time, steady under load)" });
    });

    // Follow latency: the agent stamps each line with the time it printed it; both streams watch the same lines.
    await step("follow (SSE)", ["follow latency median (printed → SSE)", "follow latency p99 (printed → SSE)"], async () => {
      // (Spawned only now: its clock reads fork processes ten times a second, which would weigh on the reads above.)
      const tickerId = await spawn(server, ticker, { AGENT_CLOCK: "1", AGENT_TICK_S: "0.1" });
      const controller = new AbortController();
      const dashboardLatency: number[] = [];
      const engineLatency: number[] = [];
      const stream = await api(server, `/api/agents/${ticker}/logs/stream`, { signal: controller.signal });
      if (!stream.ok) throw new Error(`follow failed: ${stream.status}`);
      void readEvents(stream, () => false, {
        timeoutMs: Number.POSITIVE_INFINITY,
        signal: controller.signal,
        onEvent: ({ event, data }) => {
          if (event !== "lines") return;
          const now = Date.now();
          for (const line of (JSON.parse(data) as { lines: { text: string }[] }).lines) {
            const at = printedAt(line.text);
            if (!Number.isNaN(at)) dashboardLatency.push(now - at);
          }
        },
      });
      let partial = "";
      let framed: Buffer = Buffer.alloc(0);
      void engineGet(`/containers/${tickerId}/logs?stdout=1&stderr=0&follow=1&tail=0`, controller.signal, (chunk) => {
        // Framed stream: an 8-byte header, then the payload (one or more lines); frames may span reads.
        framed = framed.length ? Buffer.concat([framed, chunk]) : chunk;
        const now = Date.now();
        while (framed.length >= 8 && framed.length >= 8 + framed.readUInt32BE(4)) {
          const size = framed.readUInt32BE(4);
          partial += framed.subarray(8, 8 + size).toString("utf8");
          framed = framed.subarray(8 + size);
        }
        const pieces = partial.split("\n");
        partial = pieces.pop() ?? "";
        for (const piece of pieces) {
          const at = printedAt(piece);
          if (!Number.isNaN(at)) engineLatency.push(now - at);
        }
      }).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, FOLLOW_SECONDS * 1000));
      controller.abort();
      console.log(`  follow: ${dashboardLatency.length} lines through the dashboard, ${engineLatency.length} on the engine's own stream`);
      report("follow latency median (printed → SSE)", median(dashboardLatency), median(engineLatency), { max: 500, label: "≤ 500 ms" });
      report("follow latency p99 (printed → SSE)", percentile(dashboardLatency, 99), percentile(engineLatency, 99), { max: 500, label: "≤ 500 ms" });
    });

    // Chromium: printed → shown while following, and the longest main-thread task while 5000 lines render and scroll.
    await step("Chromium", ["follow latency median (printed → shown, Chromium)", "follow latency p99 (printed → shown, Chromium)", "longest task or frame, 5000 lines render (Chromium)", "longest task or frame, 5000 lines scroll (Chromium)"], async () => {
      const browser = await chromium.launch({ executablePath: process.env.HIVE_CHROMIUM || "/usr/bin/chromium", args: CHROMIUM_ARGS });
      try {
        const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
        await page.goto(`${server.baseUrl}/login#token=${BENCH_TOKEN}`);
        await page.getByRole("heading", { name: "Containers" }).waitFor();

        await page.getByRole("button", { name: `logs · ${ticker}` }).click();
        const tickerViewer = page.getByRole("region", { name: `Logs of ${ticker}` });
        const tickerLines = tickerViewer.getByRole("listbox", { name: `Log lines of ${ticker}` });
        await tickerLines.getByRole("option").first().waitFor();
        await tickerLines.evaluate((element) => {
          const shown: Record<string, number> = {};
          (window as unknown as { shownAt: Record<string, number> }).shownAt = shown;
          new MutationObserver(() => {
            const now = Date.now();
            for (const node of element.querySelectorAll(".journal-text")) shown[node.textContent ?? ""] ??= now;
          }).observe(element, { childList: true, subtree: true, characterData: true });
        });
        const followFrom = Date.now();
        await tickerViewer.getByRole("checkbox", { name: "Follow" }).check();
        await page.waitForTimeout(Math.min(FOLLOW_SECONDS, 10) * 1000);
        const shownAt = await page.evaluate(() => (window as unknown as { shownAt: Record<string, number> }).shownAt);
        const shownLatency = Object.entries(shownAt)
          .filter(([text]) => printedAt(text) > followFrom + 500)
          .map(([text, at]) => at - printedAt(text));
        console.log(`  follow in Chromium: ${shownLatency.length} lines shown`);
        report("follow latency median (printed → shown, Chromium)", median(shownLatency), null, { max: 500, label: "≤ 500 ms" });
        report("follow latency p99 (printed → shown, Chromium)", percentile(shownLatency, 99), null, { max: 500, label: "≤ 500 ms" });
        await page.getByRole("button", { name: `logs · ${ticker}` }).click();

        await page.getByRole("button", { name: `logs · ${big}` }).click();
        const viewer = page.getByRole("region", { name: `Logs of ${big}` });
        const lines = viewer.getByRole("listbox", { name: `Log lines of ${big}` });
        await lines.getByRole("option").first().waitFor();
        // A string, not a function: the bundler would name inner functions with a helper the page does not have.
        await page.evaluate(`(() => {
          const probe = { longest: 0, frames: [], running: true };
          window.probe = probe;
          new PerformanceObserver((list) => {
            for (const entry of list.getEntries()) probe.longest = Math.max(probe.longest, entry.duration);
          }).observe({ type: "longtask" });
          let last = performance.now();
          requestAnimationFrame(function tick(now) {
            probe.frames.push(now - last);
            last = now;
            if (probe.running) requestAnimationFrame(tick);
          });
        })()`);
        // Render: ask for 5000 lines and wait until they are shown.
        await viewer.getByRole("combobox", { name: "Lines" }).selectOption("5000");
        await viewer.getByRole("status").filter({ hasText: /^5000 lines/ }).waitFor();
        await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
        const render = await page.evaluate(() => {
          const probe = (window as unknown as { probe: { longest: number; frames: number[] } }).probe;
          const result = { longest: probe.longest, frame: Math.max(...probe.frames) };
          probe.longest = 0;
          probe.frames = [];
          return result;
        });
        // Scroll: from the bottom to the top in wheel-sized steps, then jump to both ends.
        await lines.hover();
        for (let step = 0; step < 60; step++) await page.mouse.wheel(0, -1500);
        await lines.press("End");
        await lines.press("Home");
        await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
        const scroll = await page.evaluate(() => {
          const probe = (window as unknown as { probe: { longest: number; frames: number[]; running: boolean } }).probe;
          probe.running = false;
          return { longest: probe.longest, frame: Math.max(...probe.frames), rows: document.querySelectorAll('[role="option"].journal-line').length };
        });
        console.log(
          `  5000 lines in Chromium: render long task ${render.longest.toFixed(0)} ms (0: none over 50 ms), longest frame ${render.frame.toFixed(0)} ms; ` +
            `scroll long task ${scroll.longest.toFixed(0)} ms, longest frame ${scroll.frame.toFixed(0)} ms; ${scroll.rows} rows in the page`,
        );
        report("longest task or frame, 5000 lines render (Chromium)", Math.max(render.longest, render.frame), null, { max: 100, label: "≤ 100 ms" });
        report("longest task or frame, 5000 lines scroll (Chromium)", Math.max(scroll.longest, scroll.frame), null, { max: 100, label: "≤ 100 ms" });
      } finally {
        await browser.close();
      }
    });

    // The probe while 60 follows open at once and stay open, beside the engine's own ping while the same 60 engine
    // log streams open (docker-modem used to format every open follow's socket on each engine call: 7-60 s stalls).
    await step("probe under 60 follows", [`/dashboard-healthz p99 (${PROBE_FOLLOWS} follows opening)`, `/dashboard-healthz max (${PROBE_FOLLOWS} follows opening)`], async () => {
      const follows = new AbortController();
      setMaxListeners(PROBE_FOLLOWS * 2, follows.signal);
      const sampling = new AbortController();
      const probes = sampleUntil(sampling.signal, 100, async () => (await fetch(`${server.baseUrl}/dashboard-healthz`)).text());
      const pings = sampleUntil(sampling.signal, 100, () => getBytes({ socketPath: ENGINE_SOCKET, path: "/_ping" }));
      const opened = await Promise.all(
        Array.from({ length: PROBE_FOLLOWS }, () => api(server, `/api/agents/${ticker}/logs/stream`, { signal: follows.signal })),
      );
      const refused = opened.filter((response) => response.status !== 200).length;
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      sampling.abort();
      const [healthTimes, pingTimes] = await Promise.all([probes, pings]);
      follows.abort();
      for (const response of opened) await response.body?.cancel().catch(() => undefined);
      if (refused) throw new Error(`${refused} of ${PROBE_FOLLOWS} follows were refused`);
      console.log(`  probe: ${healthTimes.length} /dashboard-healthz and ${pingTimes.length} engine pings while ${PROBE_FOLLOWS} follows opened and stayed open`);
      report(`/dashboard-healthz p99 (${PROBE_FOLLOWS} follows opening)`, percentile(healthTimes, 99), percentile(pingTimes, 99), { max: 1000, label: "< 1 s" });
      report(`/dashboard-healthz max (${PROBE_FOLLOWS} follows opening)`, Math.max(...healthTimes), Math.max(...pingTimes), { max: 1000, label: "< 1 s" });
    });
  } finally {
    await server.stop();
    await cleanupAgents(prefix);
  }
}
