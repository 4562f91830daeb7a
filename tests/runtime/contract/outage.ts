import { describe, expect, it } from "vitest";
import type { ContractContext } from ".";
import { followUntil } from "./logs";
import { allLines, eventually, recordEvents, tickNumbers, waitForLine } from "./support";

export function outageContract({ runtime: direct, factory, name }: ContractContext): void {
  describe("an engine that goes away and comes back", () => {
    it("fails calls as unavailable while it is away, and serves them again, events and a resumed follow too, when it is back", async () => {
      const agent = name("outage");
      const { runtime, cut, restore, close } = await factory.createInterruptible();
      const events = recordEvents(runtime, agent);
      try {
        await runtime.createAgent({ name: agent, image: factory.image, env: { AGENT_TICK_S: "0.2" }, network: "none" });
        await events.until((seen) => seen.length > 0, "an event for the new agent");
        await runtime.startAgent(agent);
        await waitForLine(runtime, agent, `[${agent}] line 3`);
        const before = new AbortController();
        const held = await followUntil(runtime.followLogs(agent, { stdout: true, stderr: false }, before.signal), before, (lines) => tickNumbers(lines).length >= 2);
        const cursor = held.at(-1)!.cursor;
        const lastHeld = tickNumbers(held.flatMap((batch) => batch.lines)).at(-1)!;

        await cut();
        await expectUnavailable(() => runtime.ping());
        await expectUnavailable(() => runtime.listAgents());
        await expectUnavailable(() => runtime.inspectAgent(agent));
        // The events stream ends with a failure, not silently.
        await eventually(async () => events.failure() !== undefined, "the events stream to fail");
        expect(events.failure()).toMatchObject({ name: "RuntimeError", kind: "unavailable" });
        // The agent goes on writing while this driver cannot see it (the suite's own driver still can).
        await waitForLine(direct(), agent, `[${agent}] line ${lastHeld + 3}`);

        await restore();
        await eventually(async () => runtime.ping().then(() => true), "the engine to answer again");
        expect((await runtime.listAgents()).map((entry) => entry.name)).toContain(agent);
        const again = recordEvents(runtime, agent);
        try {
          await runtime.stopAgent(agent, 5);
          await again.until((seen) => seen.some((event) => event.type === "run-exited"), "the stop's exit, on a new stream");
        } finally {
          await again.stop();
        }
        // Lines written while it was away are there, after the held ones, once each.
        const after = new AbortController();
        const resumed = await followUntil(runtime.followLogs(agent, { stdout: true, stderr: false, from: cursor }, after.signal), after, () => false, 10_000);
        const ticks = tickNumbers(resumed.flatMap((batch) => batch.lines));
        const written = tickNumbers(await allLines(runtime, agent)).filter((tick) => tick > lastHeld);
        expect(written.length).toBeGreaterThanOrEqual(3);
        expect(ticks).toEqual(written);
      } finally {
        await events.stop();
        await runtime.removeAgent(agent).catch(() => undefined);
        await close();
      }
    });
  });
}

async function expectUnavailable(call: () => Promise<unknown>) {
  await expect(call()).rejects.toMatchObject({ name: "RuntimeError", kind: "unavailable" });
}

