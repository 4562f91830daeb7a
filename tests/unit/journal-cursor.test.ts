import { describe, expect, it } from "vitest";
import { cursorAfter, engineSince, formatNanos, resumeFilter, timestampNanos } from "@/server/views/journal";

const line = (timestamp: string | null, text = "x") => ({ stream: "stdout" as const, text, timestamp });

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

  it("points after the last line, counting the lines that share its stamp", () => {
    const a = "2026-01-02T03:04:05.000000001Z";
    const b = "2026-01-02T03:04:05.000000002Z";
    expect(cursorAfter([line(a), line(b), line(b)], 0)).toEqual({ after: b, count: 2 });
    expect(cursorAfter([line(a)], 0)).toEqual({ after: a, count: 1 });
  });

  it("with no lines, points a little before the read started (there was nothing to repeat)", () => {
    const started = Date.parse("2026-01-02T03:04:05.000Z");
    expect(cursorAfter([], started)).toEqual({ after: "2026-01-02T03:04:00.000000000Z", count: 0 });
  });

  it("drops what the reader has: earlier lines and the first `count` at the cursor's stamp, keeps the rest", () => {
    const a = "2026-01-02T03:04:05.000000001Z";
    const b = "2026-01-02T03:04:05.000000002Z";
    const c = "2026-01-02T03:04:05.000000003Z";
    const keep = resumeFilter(b, 1);
    const kept = [line(a, "old"), line(b, "had"), line(b, "new at b"), line(c, "new")].filter(keep).map((entry) => entry.text);
    expect(kept).toEqual(["new at b", "new"]);
    expect([line(a), line(b)].filter(resumeFilter(undefined, 0))).toHaveLength(2);
    expect([line(b), line(c)].filter(resumeFilter(b, 0)).map((entry) => entry.timestamp)).toEqual([b, c]);
  });
});
