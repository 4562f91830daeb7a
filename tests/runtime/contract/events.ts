import { describe, expect, it } from "vitest";
import type { RuntimeEvent } from "@/server/runtime/types";
import type { ContractContext } from ".";
import { recordEvents } from "./support";

const indexOf = (events: RuntimeEvent[], match: (event: RuntimeEvent) => boolean) => events.findIndex(match);

export function eventsContract({ runtime, factory, name }: ContractContext): void {
  describe("events", () => {
    it("tells of a run that starts, of its exit with the code, and of the removal, in that order", async () => {
      const agent = name("exits");
      const events = recordEvents(runtime(), agent);
      try {
        // The creation is told too: once it is heard, the stream is surely open.
        await runtime().createAgent({ name: agent, image: factory.image, env: { AGENT_EXIT_AFTER_S: "1", AGENT_EXIT_CODE: "3" }, network: "none" });
        await events.until((seen) => seen.length > 0, "an event for the new agent");
        await runtime().startAgent(agent);
        await events.until((seen) => seen.some((event) => event.type === "run-exited"), "the run's exit");
        await runtime().removeAgent(agent);
        const seen = await events.until((all) => all.some((event) => event.type === "agent-removed"), "the removal");
        const started = indexOf(seen, (event) => event.type === "run-started");
        const exited = indexOf(seen, (event) => event.type === "run-exited");
        const removed = indexOf(seen, (event) => event.type === "agent-removed");
        expect(started).toBeGreaterThanOrEqual(0);
        expect(started).toBeLessThan(exited);
        expect(exited).toBeLessThan(removed);
        expect(seen[exited]).toMatchObject({ type: "run-exited", agent, exitCode: 3, oomKilled: false });
        for (const event of seen) expect(Number.isNaN(Date.parse(event.at))).toBe(false);
        expect(Date.parse(seen[exited]!.at)).toBeGreaterThanOrEqual(Date.parse(seen[started]!.at));
        expect(events.failure()).toBeUndefined();
      } finally {
        await events.stop();
      }
    });

    it("tells of an out-of-memory kill as the run's exit, with OOM", async () => {
      const agent = name("hungry");
      const events = recordEvents(runtime(), agent);
      try {
        await runtime().createAgent({ name: agent, image: factory.image, memoryMb: 16, env: { AGENT_EAT_MB: "64" }, network: "none" });
        await events.until((seen) => seen.length > 0, "an event for the new agent");
        await runtime().startAgent(agent);
        const seen = await events.until((all) => all.some((event) => event.type === "run-exited"), "the run's exit");
        const exit = seen.find((event) => event.type === "run-exited");
        expect(exit).toMatchObject({ exitCode: 137, oomKilled: true });
        expect(indexOf(seen, (event) => event.type === "run-started")).toBeLessThan(indexOf(seen, (event) => event.type === "run-exited"));
        expect(await runtime().inspectAgent(agent)).toMatchObject({ state: "exited", oomKilled: true });
      } finally {
        await events.stop();
        await runtime().removeAgent(agent);
      }
    });
  });
}
