import { describe, expect, it } from "vitest";
import { CursorBuilder, decodeCursor, encodeCursor, engineSince, resumeFilter, timestampNanos } from "@/server/runtime/docker/log-cursor";

const nanosOf = (stamp: string) => timestampNanos(stamp)!;

function cursorOf(stamps: (string | null)[]) {
  const builder = new CursorBuilder();
  for (const stamp of stamps) builder.add(stamp);
  return builder.cursor();
}

describe("the Docker driver's log cursor", () => {
  it("reads engine stamps to the nanosecond and writes them back for the engine", () => {
    const nanos = nanosOf("2026-01-02T03:04:05.123456789Z");
    expect(nanos).toBe(BigInt(Date.parse("2026-01-02T03:04:05Z")) * 1_000_000n + 123_456_789n);
    expect(engineSince(nanos)).toBe(`${Date.parse("2026-01-02T03:04:05Z") / 1000}.123456789`);
    expect(timestampNanos("2026-01-02T03:04:05.5+01:00")).toBe(BigInt(Date.parse("2026-01-02T02:04:05Z")) * 1_000_000n + 500_000_000n);
    expect(timestampNanos("2026-01-02T03:04:05Z")).toBe(BigInt(Date.parse("2026-01-02T03:04:05Z")) * 1_000_000n);
    for (const bad of ["yesterday", "2026-01-02 03:04:05Z", "2026-13-02T03:04:05Z", ""]) expect(timestampNanos(bad), bad).toBeNull();
  });

  it("is written as text only it reads back, and refuses any other", () => {
    const cursor = { afterNanos: nanosOf("2026-01-02T03:04:05.000000007Z"), count: 3 };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    for (const bad of ["", "d1", "d1.12.x", "d2.1.1", "1.1", "d1.-1.0", "d1.1.1.1"]) expect(decodeCursor(bad), bad).toBeNull();
  });

  it("starts a second before the newest line and counts the lines held from then on", () => {
    const cursor = cursorOf(["2026-01-02T03:04:03.000000000Z", "2026-01-02T03:04:04.500000000Z", "2026-01-02T03:04:05.000000000Z", "2026-01-02T03:04:05.000000000Z"]);
    expect(cursor).toEqual({ afterNanos: nanosOf("2026-01-02T03:04:04.000000000Z"), count: 3 });
  });

  it("reaches back far enough for a line written later with an earlier stamp (stdout and stderr are stamped apart)", () => {
    // The reader holds A and B; C (stderr, stamped 50 ns before B) was written after B and is not held yet.
    const cursor = cursorOf(["2026-01-02T03:04:04.000000000Z", "2026-01-02T03:04:05.000000100Z"])!;
    expect(cursor).toEqual({ afterNanos: nanosOf("2026-01-02T03:04:04.000000100Z"), count: 1 });
    // The engine's since=after answers, in file order, every line stamped from then on: B, C, then newer lines.
    const engineAnswer = ["B", "C (05.000000050)", "D"];
    expect(engineAnswer.filter(resumeFilter(cursor.count))).toEqual(["C (05.000000050)", "D"]);
  });

  it("never starts before the oldest line held, and has no cursor without stamps", () => {
    expect(cursorOf(["2026-01-02T03:04:05.250000000Z", "2026-01-02T03:04:05.500000000Z"])).toEqual({ afterNanos: nanosOf("2026-01-02T03:04:05.250000000Z"), count: 2 });
    expect(cursorOf([])).toBeNull();
    expect(cursorOf([null])).toBeNull();
  });

  it("stays the same while a long follow drops the stamps too old to count", () => {
    const stamps: string[] = [];
    // 10 000 lines, 10 a millisecond apart... over 1 s: then a last second of lines, which alone count.
    const base = Date.parse("2026-01-02T03:00:00Z");
    for (let i = 0; i < 10_000; i++) stamps.push(new Date(base + i).toISOString().replace("Z", "000000Z"));
    const cursor = cursorOf(stamps)!;
    expect(cursor.afterNanos).toBe(BigInt(base + 9_999 - 1_000) * 1_000_000n);
    expect(cursor.count).toBe(1_001);
  });

  it("counts right through a burst that keeps thousands of stamps in its last second, and after it", () => {
    // 20 000 lines 10 µs apart (all within 200 ms), then 3 000 lines a millisecond apart: the burst leaves the overlap.
    const base = Date.parse("2026-01-02T03:00:00Z");
    const nanos: bigint[] = [];
    for (let i = 0; i < 20_000; i++) nanos.push(BigInt(base) * 1_000_000n + BigInt(i) * 10_000n);
    for (let i = 1; i <= 3_000; i++) nanos.push(BigInt(base + 200 + i) * 1_000_000n);
    const stamp = (value: bigint) => `${new Date(Number(value / 1_000_000n)).toISOString().slice(0, 19)}.${(value % 1_000_000_000n).toString().padStart(9, "0")}Z`;
    const expected = (held: bigint[]) => {
      const from = held.reduce((a, b) => (b > a ? b : a)) - 1_000_000_000n;
      const start = from > held[0]! ? from : held[0]!;
      return { afterNanos: start, count: held.filter((value) => value >= start).length };
    };
    for (const held of [nanos.slice(0, 20_000), nanos.slice(0, 20_900), nanos]) expect(cursorOf(held.map(stamp))).toEqual(expected(held));
  });

  it("skips the lines the reader holds and keeps everything after", () => {
    expect(["had", "had", "new", "newer"].filter(resumeFilter(2))).toEqual(["new", "newer"]);
    expect(["new"].filter(resumeFilter(0))).toEqual(["new"]);
  });
});
