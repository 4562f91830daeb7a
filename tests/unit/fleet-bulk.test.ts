import { describe, expect, it } from "vitest";
import { progressLine, runBulk, summaryLine } from "@/components/containers/fleet/bulk-run";

describe("a bulk action", () => {
  it("runs every agent on its own, a bounded number at once, and a failure does not stop the rest", async () => {
    let running = 0;
    let most = 0;
    const heard: string[] = [];
    const outcomes = await runBulk(
      Array.from({ length: 20 }, (_, index) => `a${index}`),
      4,
      async (name) => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
        if (name === "a3" || name === "a17") throw Object.assign(new Error("a3 is busy: restart by op"), { code: "action_in_flight" });
      },
      (outcome) => heard.push(outcome.name),
    );
    expect(most).toBe(4);
    expect(outcomes).toHaveLength(20);
    expect(heard.sort()).toEqual(outcomes.map((outcome) => outcome.name).sort());
    expect(outcomes.filter((outcome) => outcome.error).map((outcome) => [outcome.name, outcome.error?.code])).toEqual([
      ["a3", "action_in_flight"],
      ["a17", "action_in_flight"],
    ]);
  });

  it("reads as a progress line, then a summary", () => {
    const failure = { name: "x", error: { code: "action_in_flight", message: "busy" } };
    const progress = { action: "restart" as const, total: 120, settled: 37, failures: [failure, { ...failure, name: "y" }], finished: false };
    expect(progressLine(progress)).toBe("restarting 37/120 · 2 failed");
    expect(progressLine({ ...progress, failures: [] })).toBe("restarting 37/120");
    expect(summaryLine({ ...progress, settled: 120, finished: true })).toBe("restarted 118 of 120 · 2 failed");
  });
});
