import { describe, expect, it } from "vitest";
import { formatNanos, logCursor, timestampNanos } from "@/server/contracts/journal";
import { cursorAfter, engineSince, resumeFilter } from "@/server/views/journal";

const at = (stamp: string) => ({ timestamp: stamp });

describe("journal cursor", () => {
  it("reads engine stamps to the nanosecond and writes them back for the engine", () => {
    const nanos = timestampNanos("2026-01-02T03:04:05.123456789Z")!;
    expect(nanos).toBe(BigInt(Date.parse("2026-01-02T03:04:05Z")) * 1_000_000n + 123_456_789n);
    expect(engineSince(nanos)).toBe(`${Date.parse("2026-01-02T03:04:05Z") / 1000}.123456789`);
    expect(formatNanos(nanos)).toBe("2026-01-02T03:04:05.123456789Z");
    expect(timestampNanos("2026-01-02T03:04:05.5+01:00")).toBe(BigInt(Date.parse("2026-01-02T02:04:05Z")) * 1_000_000n + 500_000_000n);
    expect(timestampNanos("2026-01-02T03:04:05Z")).toBe(BigInt(Date.parse("2026-01-02T03:04:05Z")) * 1_000_000n);
    for (const bad of ["yesterday", "2026-01-02 03:04:05Z", "2026-13-02T03:04:05Z", ""]) expect(timestampNanos(bad), bad).toBeNull();
  });

  it("starts a second before the newest line and counts the lines held from then on", () => {
    const lines = [at("2026-01-02T03:04:03.000000000Z"), at("2026-01-02T03:04:04.500000000Z"), at("2026-01-02T03:04:05.000000000Z"), at("2026-01-02T03:04:05.000000000Z")];
    expect(logCursor(lines)).toEqual({ after: "2026-01-02T03:04:04.000000000Z", count: 3 });
  });

  it("reaches back far enough for a line written later with an earlier stamp (stdout and stderr are stamped apart)", () => {
    // The reader holds A and B; C (stderr, stamped 50 ns before B) was written after B and is not held yet.
    const held = [at("2026-01-02T03:04:04.000000000Z"), at("2026-01-02T03:04:05.000000100Z")];
    const cursor = logCursor(held)!;
    expect(cursor).toEqual({ after: "2026-01-02T03:04:04.000000100Z", count: 1 });
    // The engine's since=after answers, in file order, every line stamped from then on: B, C, then newer lines.
    const engineAnswer = ["B", "C (05.000000050)", "D"];
    expect(engineAnswer.filter(resumeFilter(cursor.count))).toEqual(["C (05.000000050)", "D"]);
  });

  it("never starts before the oldest line held, and has no cursor without stamps", () => {
    expect(logCursor([at("2026-01-02T03:04:05.250000000Z"), at("2026-01-02T03:04:05.500000000Z")])).toEqual({ after: "2026-01-02T03:04:05.250000000Z", count: 2 });
    expect(logCursor([])).toBeNull();
    expect(logCursor([{ timestamp: null }])).toBeNull();
  });

  it("after an empty read, points a little before the read started (there was nothing to repeat)", () => {
    const started = Date.parse("2026-01-02T03:04:05.000Z");
    expect(cursorAfter(logCursor([]), started)).toEqual({ after: "2026-01-02T03:04:00.000000000Z", count: 0 });
    expect(cursorAfter(logCursor([at("2026-01-02T03:04:05.000000000Z")]), started)).toEqual({ after: "2026-01-02T03:04:05.000000000Z", count: 1 });
  });

  it("skips the lines the reader holds and keeps everything after", () => {
    expect(["had", "had", "new", "newer"].filter(resumeFilter(2))).toEqual(["new", "newer"]);
    expect(["new"].filter(resumeFilter(0))).toEqual(["new"]);
  });
});
