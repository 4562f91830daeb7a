import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DependencyMonitor } from "@/server/runtime/monitor";
import { captureLogger } from "../helpers/logger";

function monitorWith(probe: () => Promise<void>, overrides: Partial<ConstructorParameters<typeof DependencyMonitor>[0]> = {}) {
  const { logger, lines } = captureLogger();
  const monitor = new DependencyMonitor({
    dependency: "docker",
    endpoint: "unix:///nowhere.sock",
    probe,
    baseDelayMs: 20,
    maxDelayMs: 80,
    jitterMs: 10,
    probeIntervalMs: 50,
    maxRetries: 0,
    logger,
    ...overrides,
  });
  return { monitor, lines };
}

// The monitor's schedule runs on fake timers: each step below moves the clock exactly, with no real waiting.
const sleep = (ms: number) => vi.advanceTimersByTimeAsync(ms);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("dependency monitor", () => {
  it("backs off exponentially from the base delay up to the cap, plus bounded jitter", () => {
    const { monitor } = monitorWith(async () => undefined, { baseDelayMs: 500, maxDelayMs: 30_000, jitterMs: 250, random: () => 0 });
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => monitor.backoffDelay(n))).toEqual([
      500, 1000, 2000, 4000, 8000, 16000, 30000, 30000,
    ]);
    const jittered = monitorWith(async () => undefined, { baseDelayMs: 500, maxDelayMs: 30_000, jitterMs: 250, random: () => 0.999 });
    expect(jittered.monitor.backoffDelay(1)).toBe(750);
  });

  it("starts unknown, turns down with retry data, then up when the probe succeeds", async () => {
    let healthy = false;
    const { monitor, lines } = monitorWith(async () => {
      if (!healthy) throw Object.assign(new Error("connect ENOENT /nowhere.sock"), { code: "ENOENT" });
    });
    const transitions: string[] = [];
    monitor.onChange((status, previous) => transitions.push(`${previous}->${status}`));
    expect(monitor.snapshot().status).toBe("unknown");
    monitor.start();
    monitor.start(); // a second start must not create a second loop
    await sleep(120);
    const down = monitor.snapshot();
    expect(down.status).toBe("down");
    expect(down.consecutiveFailures).toBeGreaterThanOrEqual(2);
    expect(down.lastError).toEqual({ code: "ENOENT", message: "connect ENOENT /nowhere.sock" });
    expect(Date.parse(down.nextRetryAt!)).toBeGreaterThan(Date.parse(down.lastFailureAt!));
    const failureLine = lines.find((line) => line.msg === "docker unreachable; retrying")!;
    expect(failureLine).toMatchObject({
      dependency: "docker",
      endpoint: "unix:///nowhere.sock",
      errorCode: "ENOENT",
      message: "connect ENOENT /nowhere.sock",
      consecutiveFailures: 1,
    });
    expect(failureLine.retryInMs).toBeGreaterThanOrEqual(20);
    expect(typeof failureLine.nextRetryAt).toBe("string");
    healthy = true;
    await sleep(150);
    const up = monitor.snapshot();
    expect(up.status).toBe("up");
    expect(up.consecutiveFailures).toBe(0);
    expect(up.lastSuccessAt).not.toBeNull();
    expect(transitions).toEqual(["unknown->down", "down->up"]);
    await monitor.stop();
  });

  it("stops probing once retries are exhausted, stays down and says so", async () => {
    let probes = 0;
    const { monitor, lines } = monitorWith(
      async () => {
        probes++;
        throw new Error("ECONNREFUSED: refused");
      },
      { maxRetries: 2 },
    );
    monitor.start();
    await sleep(400);
    expect(probes).toBe(3);
    const snapshot = monitor.snapshot();
    expect(snapshot).toMatchObject({ status: "down", retriesExhausted: true, nextRetryAt: null, consecutiveFailures: 3 });
    expect(lines.some((line) => String(line.msg).includes("retries exhausted"))).toBe(true);
    await monitor.stop();
  });

  it("survives probes that throw non-errors and listeners that throw", async () => {
    const { monitor, lines } = monitorWith(async () => {
      throw "a string, not an Error";
    });
    monitor.onChange(() => {
      throw new Error("listener bug");
    });
    monitor.start();
    await sleep(60);
    expect(monitor.status).toBe("down");
    expect(lines.some((line) => line.msg === "dependency status listener failed")).toBe(true);
    await monitor.stop();
  });

  it("re-probes at once when a caller reports a failure while it looked up", async () => {
    let healthy = true;
    const { monitor } = monitorWith(
      async () => {
        if (!healthy) throw new Error("ECONNREFUSED: gone");
      },
      { probeIntervalMs: 60_000 },
    );
    monitor.start();
    await sleep(30);
    expect(monitor.status).toBe("up");
    healthy = false;
    monitor.reportFailure();
    await sleep(30);
    expect(monitor.status).toBe("down");
    await monitor.stop();
  });
});
