import { describe, expect, it } from "vitest";
import { AgentStatsQuery, isNearOom, MAX_STATS_AGENTS } from "@/server/contracts/agent-stats";
import { toStatsSample } from "@/server/runtime/docker/engine-schemas";
import type { AgentStatsSample } from "@/server/runtime/types";
import { buildAgentStatsView, cpuPercentBetween } from "@/server/views/agent-stats";

const MiB = 1024 * 1024;

describe("GET /api/agent-stats?names= validation", () => {
  const parse = (names: string) => AgentStatsQuery.safeParse({ names });
  it("takes agent names separated by commas", () => {
    expect(parse("alpha,beta-2").data).toEqual({ names: ["alpha", "beta-2"] });
  });
  it("refuses a bad or empty name, a name twice, too many, and anything else in the query", () => {
    expect(parse("alpha,,beta").success).toBe(false);
    expect(parse("").success).toBe(false);
    expect(parse("Alpha").success).toBe(false);
    expect(parse("alpha,../x").success).toBe(false);
    expect(parse("alpha,alpha").success).toBe(false);
    expect(parse(Array.from({ length: MAX_STATS_AGENTS + 1 }, (_, index) => `a${index}`).join(",")).success).toBe(false);
    expect(parse(Array.from({ length: MAX_STATS_AGENTS }, (_, index) => `a${index}`).join(",")).success).toBe(true);
    expect(AgentStatsQuery.safeParse({ names: "alpha", extra: "1" }).success).toBe(false);
    expect(AgentStatsQuery.safeParse({}).success).toBe(false);
  });
});

describe("near OOM", () => {
  it("marks memory at or above 90 % of the limit, never an agent without a limit", () => {
    expect(isNearOom(90 * MiB, 100 * MiB)).toBe(true);
    expect(isNearOom(100 * MiB, 100 * MiB)).toBe(true);
    expect(isNearOom(89.9 * MiB, 100 * MiB)).toBe(false);
    expect(isNearOom(900 * MiB, null)).toBe(false);
    expect(isNearOom(null, 100 * MiB)).toBe(false);
  });
});

// An engine's one-shot answer (Docker 20.10, cgroup v2), trimmed to what we read plus a field we ignore.
const engineAnswer = (read: string, cpu: number, system: number, usage = 42_672_128) => ({
  read,
  pids_stats: { current: 3 },
  cpu_stats: { cpu_usage: { total_usage: cpu }, system_cpu_usage: system, online_cpus: 2 },
  memory_stats: { usage, limit: 48 * MiB, stats: { inactive_file: 4096 } },
});

describe("an engine reading in our words", () => {
  it("leaves the inactive page cache out of memory in use, and a limit the size of the machine is no limit", () => {
    const sample = toStatsSample(engineAnswer("2026-12-01T19:18:57.994Z", 1_813_184_758, 54_008_030_000_000), 24 * 1024 * MiB)!;
    expect(sample).toMatchObject({ memoryBytes: 42_672_128 - 4096, memoryLimitBytes: 48 * MiB, onlineCpus: 2, network: null });
    expect(toStatsSample(engineAnswer("2026-12-01T19:18:57Z", 1, 1), 48 * MiB)!.memoryLimitBytes).toBeNull();
  });
  it("sums the networks, and reads a container that is not running (the zero time) as nothing", () => {
    const withNetworks = { ...engineAnswer("2026-12-01T19:18:57Z", 1, 1), networks: { eth0: { rx_bytes: 10, tx_bytes: 1 }, eth1: { rx_bytes: 5, tx_bytes: 2 } } };
    expect(toStatsSample(withNetworks, null)!.network).toEqual({ rxBytes: 15, txBytes: 3 });
    expect(toStatsSample({ read: "0001-01-01T00:00:00Z", cpu_stats: { cpu_usage: { total_usage: 0 } }, memory_stats: {} }, null)).toBeNull();
    expect(() => toStatsSample({ nonsense: true }, null)).toThrow();
  });
});

describe("CPU use between two readings", () => {
  const sample = (at: string, cpuSeconds: number, systemSeconds: number | null): AgentStatsSample => ({
    at,
    cpuTotalNanos: cpuSeconds * 1e9,
    systemCpuNanos: systemSeconds === null ? null : systemSeconds * 1e9,
    onlineCpus: 2,
    memoryBytes: 95 * MiB,
    memoryLimitBytes: 100 * MiB,
    network: null,
  });
  it("is the agent's share of the machine's CPU time, times its CPUs (one busy CPU of two: 100 %)", () => {
    const first = sample("2026-12-01T12:00:00Z", 10, 1000);
    const second = sample("2026-12-01T12:00:05Z", 15, 1010);
    expect(cpuPercentBetween(first, second)).toBeCloseTo(100);
    const view = buildAgentStatsView("alpha", second, first);
    expect(view).toMatchObject({ status: "ok", nearOom: true, memoryBytes: 95 * MiB });
    expect(view.cpuPercent).toBeCloseTo(100);
  });
  it("falls back to wall time without the machine's, and has no figure without a usable earlier reading", () => {
    expect(cpuPercentBetween(sample("2026-12-01T12:00:00Z", 0, null), sample("2026-12-01T12:00:04Z", 1, null))).toBeCloseTo(25);
    expect(cpuPercentBetween(null, sample("2026-12-01T12:00:04Z", 1, null))).toBeNull();
    // A restart in between (CPU time went back), or readings too far apart.
    expect(cpuPercentBetween(sample("2026-12-01T12:00:00Z", 9, 100), sample("2026-12-01T12:00:05Z", 1, 110))).toBeNull();
    expect(cpuPercentBetween(sample("2026-12-01T12:00:00Z", 0, 0), sample("2026-12-01T12:10:00Z", 1, 1200))).toBeNull();
  });
});
