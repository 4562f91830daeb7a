import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker as sharedEngine, eventually, TEST_IMAGE } from "../helpers/docker";
import { copyImageInto, type PrivateEngine, startPrivateEngine } from "../helpers/private-engine";
import { dashboardState, operatorFetch, type ServerProcess, startServer } from "../helpers/server";

const AGENTS = 50;
const STOPPED = 5;
const names = Array.from({ length: AGENTS }, (_, index) => `eng-${String(index).padStart(2, "0")}`);
const stoppedNames = new Set(names.slice(0, STOPPED));
const desiredRunning = names.filter((name) => !stoppedNames.has(name));
/** Killed (SIGKILL) while the engine is well, before and after its restart: genuine crashes, each recorded once. */
const crashedBefore = "eng-10";
const crashedAfter = "eng-20";

let engine: PrivateEngine;
let server: ServerProcess;

async function health() {
  return (await (await fetch(`${server.baseUrl}/dashboard-healthz`)).json()) as { runtime: { status: string } };
}

/** The engine's own word on each agent: name → state. */
async function engineStates(): Promise<Map<string, string>> {
  const listed = await engine.docker.listContainers({ all: true, filters: { label: ["hive.agent"] } });
  return new Map(listed.map((container) => [container.Labels["hive.agent"]!, container.State]));
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<void>) {
  for (let index = 0; index < items.length; index += size) await Promise.all(items.slice(index, index + size).map(work));
}

const logged = (message: string) => () => server.logs().filter((line) => line.msg === message).map((line) => line.agent as string);
const crashes = logged("agent crashed");
const reconciled = logged("started an agent whose desired state is running");
const recovered = logged("restarted a crashed agent");
const stoppedWithEngine = logged("agent stopped as the engine went away; not a crash");

/** Kills an agent behind the dashboard's back and waits until its one crash is recorded and it runs again. */
async function crashAndRecover(name: string) {
  await engine.docker.getContainer(`hive-${name}`).kill({ signal: "SIGKILL" });
  await eventually(async () => crashes().includes(name), `the crash of ${name} to be recorded`, 30_000);
  await eventually(async () => recovered().includes(name) && (await engineStates()).get(name) === "running", `${name} to be recovered`, 60_000);
}

describe("the engine restarts under 50 agents (its own dockerd, never the shared one)", () => {
  beforeAll(async () => {
    engine = await startPrivateEngine("engine-restart");
    await copyImageInto(engine.docker, (await sharedEngine.getImage(TEST_IMAGE).inspect()).Id, { repo: "hive-test-agent", tag: "latest" });
    server = await startServer({
      DOCKER_HOST: engine.dockerHost,
      // A probe 10 minutes apart: health can read "down" in time only because the engine's going away is noticed.
      HIVE_RUNTIME_PROBE_INTERVAL_MS: "600000",
      HIVE_RUNTIME_RETRY_BASE_MS: "200",
      HIVE_RUNTIME_RETRY_MAX_MS: "2000",
    });
    await inBatches(names, 5, async (name) => {
      const response = await operatorFetch(server, "/api/agents", {
        method: "POST",
        body: JSON.stringify({ name, image: TEST_IMAGE, network: "none", env: { AGENT_QUIET: "1" } }),
      });
      expect(response.status, await response.clone().text()).toBe(201);
    });
    await inBatches([...stoppedNames], 5, async (name) => {
      const response = await operatorFetch(server, `/api/agents/${name}/stop`, { method: "POST", body: "{}" });
      expect(response.status, await response.clone().text()).toBe(200);
    });
  }, 600_000);

  afterAll(async () => {
    await server?.stop();
    await engine?.destroy();
  }, 180_000);

  it("reads the engine down when it goes, brings back exactly the agents that should run, and records only genuine crashes", async () => {
    const before = await engineStates();
    expect([...before.values()].filter((state) => state === "running")).toHaveLength(AGENTS - STOPPED);
    for (const name of stoppedNames) expect(before.get(name)).toBe("exited");

    // A genuine crash while the engine is well is recorded (and recovered), the rule below notwithstanding.
    await crashAndRecover(crashedBefore);
    expect(crashes()).toEqual([crashedBefore]);

    const stoppedAt = Date.now();
    await engine.stop();
    // Health and the page's state say so while the engine is away (the next probe is 10 minutes off).
    await eventually(async () => (await health()).runtime.status === "down", "health to read the engine down", 30_000);
    const downAfterMs = Date.now() - stoppedAt;
    const away = await dashboardState(server);
    expect(away.containers).toBeNull();

    await engine.start();
    const backAt = Date.now();
    await eventually(async () => (await health()).runtime.status === "up", "health to read the engine up again", 60_000);
    await eventually(
      async () => {
        const states = await engineStates();
        return names.every((name) => states.get(name) === (stoppedNames.has(name) ? "exited" : "running"));
      },
      "every agent whose desired state is running to run again, the stopped ones still stopped",
      480_000,
    ).catch((error: Error) => {
      const starts = server.logs().filter((line) => String(line.msg).includes("desired state is running")).map((line) => `${line.agent}: ${line.msg} ${line.err ?? ""}`);
      throw new Error(`${error.message}\n${starts.join("\n")}`);
    });
    const allBackMs = Date.now() - backAt;
    // The reconciler logs each start once its start returned (the activity feed shows only the last 30 events).
    await eventually(async () => reconciled().length >= desiredRunning.length, "a reconcile of every agent brought back", 60_000);
    expect(reconciled().sort()).toEqual(desiredRunning);

    // The engine stopped the agents on its way down: that is no crash, and no recovery is due.
    expect(crashes()).toEqual([crashedBefore]);
    expect(stoppedWithEngine().length).toBeGreaterThan(0);
    for (const name of stoppedWithEngine()) expect(desiredRunning).toContain(name);
    expect(recovered()).toEqual([crashedBefore]);

    // A genuine crash after the engine's return is recorded as before.
    await crashAndRecover(crashedAfter);
    expect(crashes().sort()).toEqual([crashedBefore, crashedAfter]);

    const state = await dashboardState(server);
    // The feed keeps the last 30 events (the 45 reconciles pushed the first crash out); the crash counts are whole.
    const crashEvents = state.activity.filter((event) => event.kind === "container_crash").map((event) => event.agent);
    expect(crashEvents).toContain(crashedAfter);
    for (const agent of crashEvents) expect([crashedBefore, crashedAfter]).toContain(agent);
    expect(state.containers).toHaveLength(AGENTS);
    for (const view of state.containers!) {
      expect(view.crashes.total, view.name).toBe(view.name === crashedBefore || view.name === crashedAfter ? 1 : 0);
      expect(view.desiredState, view.name).toBe(stoppedNames.has(view.name) ? "stopped" : "running");
    }
    // Later reconcile polls and housekeeping (every 10 s) neither start the stopped agents nor record anything.
    const quietUntil = backAt + allBackMs + 21_000;
    if (Date.now() < quietUntil) await new Promise((resolve) => setTimeout(resolve, quietUntil - Date.now()));
    const after = await engineStates();
    for (const name of stoppedNames) expect(after.get(name)).toBe("exited");
    expect(crashes().sort()).toEqual([crashedBefore, crashedAfter]);
    expect(reconciled()).toHaveLength(desiredRunning.length);
    const firstAt = (match: (message: string) => boolean) => {
      const line = server.logs().find((entry) => match(String(entry.msg)));
      return line ? `${Date.parse(String(line.time)) - stoppedAt} ms` : "never";
    };
    console.log(
      `after SIGTERM to dockerd: first death judged stopped with the engine ${firstAt((message) => message.includes("as the engine went away"))}, ` +
        `engine read unreachable ${firstAt((message) => message.includes("unreachable; retrying"))}, events stream broke ${firstAt((message) => message.startsWith("engine events stream"))}`,
    );
    console.log(`engine restart, ${AGENTS} agents: health down ${downAfterMs} ms after SIGTERM to dockerd; all ${desiredRunning.length} back ${allBackMs} ms after it answered again; ${stoppedWithEngine().length} deaths judged stopped with the engine`);
  }, 900_000);
});
