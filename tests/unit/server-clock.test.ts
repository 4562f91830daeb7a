import { describe, expect, it } from "vitest";
import { formatCountdown } from "@/components/ui/format";
import { serverNow, syncServerClock, tickServerClock } from "@/components/ui/server-clock-state";

const askedAt = Date.parse("2026-12-01T12:00:00.000Z");
const deadline = askedAt + 300_000;

describe("the server clock behind ages and countdowns", () => {
  it("reads a newly learnt server time at once, however long ago the last tick was", () => {
    let clock = syncServerClock(new Date(askedAt - 5_000).toISOString(), 1_000);
    clock = tickServerClock(clock, 2_000);
    // The next state arrives 900 ms after that tick: its server time is the clock's time, not 900 ms before it.
    clock = syncServerClock(new Date(askedAt + 4).toISOString(), 2_900);
    expect(serverNow(clock)).toBe(askedAt + 4);
    expect(serverNow(tickServerClock(clock, 3_900))).toBe(askedAt + 1_004);
  });

  it("shows a 300 s question that arrives with the state right after it was asked as 5m 00s, then counts down", () => {
    let clock = syncServerClock(new Date(askedAt - 3_000).toISOString(), 10_000);
    clock = tickServerClock(clock, 10_100);
    clock = syncServerClock(new Date(askedAt + 20).toISOString(), 11_050);
    expect(formatCountdown(deadline - serverNow(clock))).toBe("5m 00s");
    expect(formatCountdown(deadline - serverNow(tickServerClock(clock, 12_050)))).toBe("4m 59s");
  });
});

describe("formatCountdown", () => {
  it("rounds part of a second up, so the chip reaches 0s only at the deadline", () => {
    expect(formatCountdown(300_000)).toBe("5m 00s");
    expect(formatCountdown(299_001)).toBe("5m 00s");
    expect(formatCountdown(299_000)).toBe("4m 59s");
    expect(formatCountdown(59_400)).toBe("1m 00s");
    expect(formatCountdown(400)).toBe("1s");
    expect(formatCountdown(0)).toBe("0s");
  });
});
