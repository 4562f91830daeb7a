// The cost of live resource use: the engine's and the dashboard's CPU with the page open on 200 quiet agents, with the
// rows on screen reading their stats and without (`?stats=off`). HIVE_SCREENSHOTS=<dir> also saves the page (light, dark).
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { chromium, type Page } from "@playwright/test";
import { api, BENCH_TOKEN, cleanupAgents, docker, processCpuMs, report, startBenchServer, step, TEST_IMAGE } from "./lib";

const AGENTS = Number(process.env.BENCH_FLEET_AGENTS ?? 200);
const WINDOW_MS = 30_000;
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const METRICS = [
  `engine CPU, page open on ${AGENTS} agents, stats off (ms CPU per s)`,
  `engine CPU, page open on ${AGENTS} agents, stats on (ms CPU per s)`,
  `dashboard CPU, page open on ${AGENTS} agents, stats off (ms CPU per s)`,
  `dashboard CPU, page open on ${AGENTS} agents, stats on (ms CPU per s)`,
];

/** The shared engine's process (its pid file), whose CPU includes whatever else uses the engine meanwhile. */
function enginePid(): number {
  return Number(fs.readFileSync(process.env.BENCH_DOCKERD_PIDFILE ?? "/var/run/docker.pid", "utf8").trim());
}

async function cpuPerSecond(pids: number[], page: Page): Promise<number[]> {
  const before = pids.map(processCpuMs);
  const started = Date.now();
  // The page stays live meanwhile (heartbeat, event stream, and the stats polls when on).
  await page.waitForTimeout(WINDOW_MS);
  const seconds = (Date.now() - started) / 1000;
  return pids.map((pid, index) => (processCpuMs(pid) - before[index]!) / seconds);
}

async function makeQuietAgents(installation: string, prefix: string) {
  const names = Array.from({ length: AGENTS }, (_, index) => `${prefix}-a${String(index).padStart(3, "0")}`);
  const make = async (name: string) => {
    const container = await docker.createContainer({
      name: `hive-${name}`,
      Image: TEST_IMAGE,
      // A line a minute: the engine's own work stays the stats' and the page's.
      Env: ["AGENT_TICK_S=60", `HIVE_AGENT_NAME=${name}`],
      Labels: { "hive.agent": name, "hive.installation": installation },
      HostConfig: { NetworkMode: "none", Memory: 64 * 1024 * 1024 },
    });
    await container.start();
  };
  for (let index = 0; index < names.length; index += 8) await Promise.all(names.slice(index, index + 8).map(make));
}

export async function run() {
  const server = await startBenchServer();
  const prefix = `bf${randomBytes(2).toString("hex")}`;
  const browser = await chromium.launch({ executablePath: process.env.HIVE_CHROMIUM || "/usr/bin/chromium", args: CHROMIUM_ARGS });
  try {
    await step(`fleet: CPU with the page open on ${AGENTS} agents, stats off and on`, METRICS, async () => {
      const { installation } = (await (await api(server, "/api/diagnostics")).json()) as { installation: string };
      const made = Date.now();
      await makeQuietAgents(installation, prefix);
      console.log(`  ${AGENTS} agents made and started in ${((Date.now() - made) / 1000).toFixed(0)} s`);
      const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
      await page.goto(`${server.baseUrl}/login#token=${BENCH_TOKEN}`);
      await page.getByRole("status", { name: "Live updates: Live" }).waitFor();
      const pids = [enginePid(), server.child.pid!];

      await page.goto(`${server.baseUrl}/?stats=off`);
      await page.getByRole("row", { name: `Agent ${prefix}-a000` }).waitFor();
      const [engineOff, dashboardOff] = await cpuPerSecond(pids, page);

      await page.goto(`${server.baseUrl}/`);
      await page.getByRole("row", { name: `Agent ${prefix}-a000` }).getByRole("cell", { name: /^\d+(\.\d)? %$/ }).waitFor({ timeout: 60_000 });
      const [engineOn, dashboardOn] = await cpuPerSecond(pids, page);
      const rendered = await page.locator("tbody.agent-group").count();
      console.log(`  rows rendered at once (virtualised): ${rendered} of ${AGENTS}`);

      report(METRICS[0]!, engineOff!, null, { label: "context (shared engine: includes others' use)" });
      report(METRICS[1]!, engineOn!, engineOff!, { label: "context (ratio: on / off)" });
      report(METRICS[2]!, dashboardOff!, null, { label: "context" });
      report(METRICS[3]!, dashboardOn!, dashboardOff!, { label: "context (ratio: on / off)" });

      const shots = process.env.HIVE_SCREENSHOTS;
      if (shots) {
        fs.mkdirSync(shots, { recursive: true });
        await page.getByRole("heading", { name: "Containers" }).scrollIntoViewIfNeeded();
        for (const scheme of ["light", "dark"] as const) {
          await page.emulateMedia({ colorScheme: scheme });
          await page.screenshot({ path: path.join(shots, `fleet-${AGENTS}-${scheme}.png`) });
        }
      }
    });
  } finally {
    await browser.close();
    await server.stop();
    await cleanupAgents(prefix);
  }
}
