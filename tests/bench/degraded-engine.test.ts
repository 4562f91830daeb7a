import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startEngineProxy } from "../helpers/engine-proxy";
import { ROOT } from "../helpers/server";

const proxyReady = startEngineProxy();
afterAll(async () => (await proxyReady).close());

describe("npm run bench on a degraded engine", () => {
  it("prints the figures it could take and marks the rest not measured, instead of crashing", async () => {
    const proxy = await proxyReady;
    // The engine answers everything but the dashboard's probe: to the dashboard it is down, and /api/state answers
    // `containers: null` (what a probe timing out on a loaded machine does), while the bench's own engine calls work.
    proxy.hang(/ \/(v[\d.]+\/)?_ping\b/);
    // Not spawnSync: the proxy runs in this process and must keep relaying while the bench runs.
    const bench = spawn(path.join(ROOT, "node_modules", ".bin", "tsx"), ["scripts/bench/index.ts", "containers"], {
      cwd: ROOT,
      env: { ...process.env, DOCKER_HOST: proxy.dockerHost, BENCH_AGENTS: "4", BENCH_SAMPLES: "3", BENCH_RESTARTS: "2", BENCH_SETTLE_MAX_MS: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let text = "";
    bench.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
    bench.stderr.on("data", (chunk: Buffer) => (text += chunk.toString()));
    const status = await new Promise<number | null>((resolve) => bench.on("exit", resolve));
    const result = { status, stdout: text, stderr: "" };
    const output = `${result.stdout}${result.stderr}`;
    expect(output).not.toMatch(/TypeError|Cannot read properties/);
    expect(result.status, output).toBe(1);
    const row = (metric: string) => output.split("\n").find((line) => line.startsWith(metric))?.trimEnd() ?? "";
    expect(output).toContain("the dashboard sees the engine down");
    // Measured although the engine is down to the dashboard: the state read.
    expect(row("/api/state p99 (4 agents, event-fed picture vs a live list)")).toMatch(/ ms .*(ok|MISSED)$/);
    // Not measurable, and said so with the reason.
    expect(row("restart median")).toMatch(/not measured .*restart failed: stop failed: 503.*NOT MEASURED$/);
    expect(row("crash detection p99 (kill → event)")).toMatch(/not measured .*no container_crash notice .*NOT MEASURED$/);
    expect(row("action → second dashboard shows the pill (p99)")).toMatch(/not measured .*restart answered 503.*NOT MEASURED$/);
    expect(output).toMatch(/3 step\(s\) failed; their figures are marked "not measured"/);
  }, 180_000);
});
