// The page with the whole fleet in Chromium: first render after login, and live updates (an operator elsewhere stops
// and starts the top row's agent: the change reaches the page over SSE and is shown), with the page's long tasks
// (PerformanceObserver "longtask") and the bytes it fetched for each change.
import { chromium, type Page } from "@playwright/test";
import { api, BENCH_TOKEN, type BenchServer, docker, median, report, rows, step } from "./lib";
import { type Fleet, peakRss, timed } from "./scale";

const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const UPDATES = Number(process.env.BENCH_PAGE_UPDATES ?? 6);

type LongTask = { start: number; duration: number };

/** Collects every long task of each document from its start (buffered), before any page script runs. */
const LONG_TASK_PROBE = `
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: "longtask", buffered: true });
`;

const longTasksSince = (page: Page, since: number) =>
  page.evaluate((from) => (window as unknown as { __longTasks: LongTask[] }).__longTasks.filter((task) => task.start >= from), since);

/**
 * Resolves, in page time, once the agent's row is settled (no pill) with a state label matching `pattern`. A string:
 * the bench runs under tsx, whose compiled functions call a helper (`__name`) that the page does not have.
 */
function rowShows(page: Page, agent: string, pattern: string, timeoutMs = 30_000): Promise<number> {
  const args = JSON.stringify({ agent, pattern, timeoutMs });
  return page.evaluate(`(({ agent, pattern, timeoutMs }) => new Promise((resolve, reject) => {
    const wanted = new RegExp(pattern);
    const until = performance.now() + timeoutMs;
    const check = () => {
      const row = document.querySelector('tr[aria-label="Agent ' + agent + '"]');
      const label = row?.querySelector(".state-cell > .pill")?.textContent ?? "";
      if (row && !row.hasAttribute("aria-busy") && wanted.test(label)) return resolve(performance.now());
      if (performance.now() > until) return reject(new Error("the row of " + agent + " did not show " + pattern + " within " + timeoutMs + " ms (shows \\"" + label + "\\"" + (row ? "" : ", no row") + ")"));
      requestAnimationFrame(check);
    };
    check();
  }))(${args})`) as Promise<number>;
}

export async function measurePage(server: BenchServer, fleet: Fleet, label: (name: string) => string) {
  const count = fleet.names.length;
  const loadRows = [
    label(`page: login → ${count} agents listed (first render)`),
    label(`page: longest main-thread task while loading (${count} rows)`),
    label(`page: tasks over 50 ms while loading (${count} rows)`),
    label(`page: table rows in the DOM (${count} agents)`),
  ];
  const updateRows = [
    label(`page live update: action sent → row shows it, median (${count} rows)`),
    label(`page live update: longest main-thread task (${count} rows)`),
    label(`page live update: tasks over 50 ms, worst update (${count} rows)`),
    label(`page live update: bytes fetched per change, median (KiB, ${count} rows)`),
    label("server RSS peak, page open (MB)"),
  ];
  const browser = await chromium.launch({ executablePath: process.env.HIVE_CHROMIUM || "/usr/bin/chromium", args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await context.addInitScript(LONG_TASK_PROBE);
    const page = await context.newPage();
    await step("page first render", loadRows, async () => {
      const counted = page.locator(`[aria-label$=" of ${count}"]`);
      const loadMs = await timed(async () => {
        await page.goto(`${server.baseUrl}/login#token=${BENCH_TOKEN}`);
        await counted.waitFor({ timeout: 120_000 });
        await page.locator(`tr[aria-label="Agent ${fleet.pageAgent}"]`).waitFor({ timeout: 120_000 });
      });
      // What the load left to do lands in the next frames; their tasks belong to the load.
      await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 1_000)));
      const tasks = await longTasksSince(page, 0);
      const domRows = await page.locator('tr[aria-label^="Agent "]').count();
      report(loadRows[0]!, loadMs, null, { label: "figure" });
      report(loadRows[1]!, Math.max(0, ...tasks.map((task) => task.duration)), null, { label: "figure" });
      rows.push({ metric: loadRows[2]!, dashboard: String(tasks.length), raw: "—", ratio: "—", target: "figure", verdict: "—" });
      rows.push({ metric: loadRows[3]!, dashboard: String(domRows), raw: "—", ratio: "—", target: "figure", verdict: "—" });
    });

    await step("page live updates", updateRows, async () => {
      const fetched: { at: number; bytes: Promise<number> }[] = [];
      page.on("requestfinished", (request) => {
        if (!request.url().includes("/api/")) return;
        fetched.push({ at: Date.now(), bytes: request.sizes().then((sizes) => sizes.responseBodySize + sizes.responseHeadersSize).catch(() => 0) });
      });
      const shown: number[] = [];
      const rawTimes: number[] = [];
      const longest: number[] = [];
      const overFifty: number[] = [];
      const kib: number[] = [];
      const { peakMb } = await peakRss(server, async () => {
        for (let update = 0; update < UPDATES; update++) {
          const action = update % 2 === 0 ? "stop" : "start";
          // The raw figure: the same engine call on a like agent, right before.
          const rawAgent = docker.getContainer(`hive-${fleet.raw[0]}`);
          rawTimes.push(await timed(() => (action === "stop" ? rawAgent.stop({ t: 10 }) : rawAgent.start())));
          const wallStart = Date.now();
          const sentAt = await page.evaluate(() => performance.now());
          const visible = rowShows(page, fleet.pageAgent, action === "stop" ? "^exited" : "^running");
          visible.catch(() => undefined); // awaited below, after the action's answer
          const response = await api(server, `/api/agents/${fleet.pageAgent}/${action}`, { method: "POST", body: "{}" });
          if (!response.ok) throw new Error(`${action} answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
          shown.push((await visible) - sentAt);
          // The renders a change sets off end within a second; their tasks and requests are the change's cost.
          await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 1_000)));
          const tasks = await longTasksSince(page, sentAt);
          longest.push(Math.max(0, ...tasks.map((task) => task.duration)));
          overFifty.push(tasks.length);
          const bytes = await Promise.all(fetched.filter((request) => request.at >= wallStart).map((request) => request.bytes));
          kib.push(bytes.reduce((sum, value) => sum + value, 0) / 1024);
          if (process.env.BENCH_VERBOSE) console.log(`  page ${action}: shown ${(shown.at(-1) ?? 0).toFixed(0)} ms, ${tasks.length} long tasks (${tasks.map((task) => task.duration.toFixed(0)).join(" ")}), ${(kib.at(-1) ?? 0).toFixed(1)} KiB`);
        }
      });
      report(updateRows[0]!, median(shown), median(rawTimes), { label: "figure; raw: the engine's stop/start" });
      report(updateRows[1]!, Math.max(...longest), null, { max: 50, label: "≤ 50 ms (no long task)" });
      rows.push({ metric: updateRows[2]!, dashboard: String(Math.max(...overFifty)), raw: "—", ratio: "—", target: "0", verdict: Math.max(...overFifty) === 0 ? "ok" : "MISSED" });
      report(updateRows[3]!, median(kib), null, { label: "figure (grows with the change, not the fleet)" });
      report(updateRows[4]!, peakMb, null, { label: "figure" });
    });
  } finally {
    await browser.close();
  }
}
