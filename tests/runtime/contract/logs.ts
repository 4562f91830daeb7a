import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FollowBatch, LogLine } from "@/server/runtime/types";
import type { ContractContext } from ".";
import { allLines, eventually, tickNumbers, waitForLine } from "./support";

/** Follows until `enough` holds for the lines gathered, then stops; answers the batches. */
export async function followUntil(
  follow: AsyncIterable<FollowBatch>,
  controller: AbortController,
  enough: (lines: LogLine[]) => boolean,
  timeoutMs = 30_000,
): Promise<FollowBatch[]> {
  const batches: FollowBatch[] = [];
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    for await (const batch of follow) {
      batches.push(batch);
      if (enough(batches.flatMap((entry) => entry.lines))) break;
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return batches;
}

export function logsContract({ runtime, factory, name }: ContractContext): void {
  describe("logs", () => {
    const agent = name("logs");

    beforeAll(async () => {
      // Ticks every 0.2 s on stdout, and a warning beside each on stderr.
      await runtime().createAgent({ name: agent, image: factory.image, env: { AGENT_TICK_S: "0.2", AGENT_STDERR: "1" }, network: "none" });
      await runtime().startAgent(agent);
      await waitForLine(runtime(), agent, `[${agent}] line 10`);
    });
    afterAll(async () => {
      await runtime().removeAgent(agent);
    });

    it("reads the last lines by tail over both streams, and keeps the streams apart", async () => {
      const both = await runtime().logs(agent, { tail: 6, timestamps: true, stdout: true, stderr: true });
      expect(both).toHaveLength(6);
      expect(new Set(both.map((line) => line.stream))).toEqual(new Set(["stdout", "stderr"]));
      for (const line of both) expect(line.text).toMatch(line.stream === "stdout" ? /\] (line|boot) \d+$/ : /\] warn \d+$/);
      for (const line of both) expect(Number.isNaN(Date.parse(line.timestamp!))).toBe(false);
      const stdout = await runtime().logs(agent, { tail: 1000, timestamps: false, stdout: true, stderr: false });
      expect(stdout[0]).toEqual({ stream: "stdout", text: `[${agent}] boot 1`, timestamp: null });
      expect(stdout.every((line) => line.stream === "stdout")).toBe(true);
      const ticks = tickNumbers(stdout);
      expect(ticks).toEqual(ticks.map((_, index) => index + 1));
    });

    it("reads the lines written at or after a moment (since)", async () => {
      const lines = (await allLines(runtime(), agent)).filter((line) => line.stream === "stdout");
      const from = lines.find((line) => line.text === `[${agent}] line 5`)!;
      const since = await runtime().logs(agent, { tail: "all", since: from.timestamp!, timestamps: true, stdout: true, stderr: false });
      expect(since[0]!.text).toBe(`[${agent}] line 5`);
      expect(tickNumbers(since).slice(0, 3)).toEqual([5, 6, 7]);
    });

    it("reads in batches and gives a cursor to follow on from: the lines after the read, none lost, none twice", async () => {
      const read = await runtime().readLogs(agent, { tail: 6, stdout: true, stderr: true });
      const held: LogLine[] = [];
      for await (const batch of read.batches) held.push(...batch.map((line) => ({ stream: line.stream, text: line.text.toString("utf8"), timestamp: line.timestamp })));
      expect(held).toHaveLength(6);
      for (const line of held) expect(Number.isNaN(Date.parse(line.timestamp!))).toBe(false);
      const last = Math.max(...tickNumbers(held));
      // Lines pile up between the read and the follow: they come first, from the cursor, not from "now".
      await waitForLine(runtime(), agent, `[${agent}] line ${last + 5}`);
      const controller = new AbortController();
      const batches = await followUntil(runtime().followLogs(agent, { stdout: true, stderr: true, from: read.cursor() }, controller.signal), controller, (lines) =>
        tickNumbers(lines).includes(last + 8),
      );
      const all = [...held, ...batches.flatMap((batch) => batch.lines)];
      const ticks = tickNumbers(all);
      expect(ticks.slice(-8)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((step) => last + step));
      expect(ticks).toEqual(ticks.map((_, index) => ticks[0]! + index));
      const warnings = all.map((line) => /\] warn (\d+)$/.exec(line.text)?.[1]).filter(Boolean).map(Number);
      expect(warnings).toEqual(warnings.map((_, index) => warnings[0]! + index));
    });

    it("follows on from a batch's cursor across a reconnect with no line lost and none twice, for both streams", async () => {
      const first = new AbortController();
      const before = await followUntil(runtime().followLogs(agent, { stdout: true, stderr: true }, first.signal), first, (lines) => tickNumbers(lines).length >= 3);
      const cursor = before.at(-1)!.cursor;
      const seenBefore = before.flatMap((batch) => batch.lines);
      const lastTick = tickNumbers(seenBefore).at(-1)!;
      await waitForLine(runtime(), agent, `[${agent}] line ${lastTick + 4}`);
      const second = new AbortController();
      const after = await followUntil(runtime().followLogs(agent, { stdout: true, stderr: true, from: cursor }, second.signal), second, (lines) =>
        tickNumbers(lines).includes(lastTick + 6),
      );
      const seenAfter = after.flatMap((batch) => batch.lines);
      const all = [...seenBefore, ...seenAfter];
      const ticks = tickNumbers(all);
      expect(ticks).toEqual(ticks.map((_, index) => ticks[0]! + index));
      const warnings = all.map((line) => /\] warn (\d+)$/.exec(line.text)?.[1]).filter(Boolean).map(Number);
      expect(new Set(warnings).size).toBe(warnings.length);
      expect(warnings).toEqual([...warnings].sort((a, b) => a - b));
    });

    it("refuses at once a cursor it did not make", () => {
      expect(() => runtime().followLogs(agent, { stdout: true, stderr: false, from: "not-a-cursor" }, new AbortController().signal)).toThrow(
        expect.objectContaining({ name: "RuntimeError", kind: "invalid" }),
      );
    });

    it("ends a follow when the agent stops", async () => {
      const controller = new AbortController();
      const follow = runtime().followLogs(agent, { stdout: true, stderr: false }, controller.signal);
      const ended = (async () => {
        for await (const _ of follow);
        return true;
      })();
      await eventually(async () => (await runtime().inspectAgent(agent))?.state === "running", "the agent running");
      await runtime().stopAgent(agent, 5);
      expect(await ended).toBe(true);
      controller.abort();
    });
  });
}
