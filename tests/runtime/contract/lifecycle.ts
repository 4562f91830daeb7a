import { describe, expect, it } from "vitest";
import { isUp } from "@/server/runtime/types";
import type { ContractContext } from ".";
import { eventually, waitForLine } from "./support";

export function lifecycleContract({ runtime, factory, name }: ContractContext): void {
  describe("lifecycle", () => {
    const agent = name("life");

    it("creates an agent with its labelled state volume; list and inspect agree on it", async () => {
      await runtime().createAgent({ name: agent, image: factory.image, env: { GREETING: "hello" }, memoryMb: 64, cpus: 0.5, network: "none" });
      const listed = (await runtime().listAgents()).find((entry) => entry.name === agent);
      const inspected = await runtime().inspectAgent(agent);
      expect(listed).toMatchObject({ name: agent, state: "created", runId: null, startedAt: null });
      expect(inspected).toMatchObject({ name: agent, state: "created", runId: null, containerId: listed!.containerId });
      expect(inspected!.node).toEqual(expect.any(String));
      expect(inspected!.node.length).toBeGreaterThan(0);
      expect(listed!.node).toBe(inspected!.node);
      expect((await runtime().listStateVolumes()).map((volume) => volume.name)).toContain(agent);
      expect(await runtime().readAgentConfig(agent)).toMatchObject({ image: factory.image, env: { GREETING: "hello" }, memoryMb: 64, cpus: 0.5, network: "none" });
    });

    it("starts, and answers a start of a running agent as unchanged", async () => {
      expect(await runtime().startAgent(agent)).toBe("changed");
      const started = await runtime().inspectAgent(agent);
      expect(started).toMatchObject({ state: "running", exitCode: null });
      expect(started!.runId).toEqual(expect.any(String));
      expect(Date.parse(started!.startedAt!)).toBeGreaterThan(Date.now() - 120_000);
      expect(await runtime().startAgent(agent)).toBe("unchanged");
      expect((await runtime().inspectAgent(agent))!.runId).toBe(started!.runId);
    });

    it("restarts into a new run", async () => {
      const before = (await runtime().inspectAgent(agent))!.runId;
      expect(await runtime().restartAgent(agent, 5)).toBe("changed");
      const after = await eventually(async () => {
        const seen = await runtime().inspectAgent(agent);
        return seen && isUp(seen.state) && seen.runId !== before ? seen : null;
      }, "a new run after the restart");
      expect(after.runId).not.toBe(before);
    });

    it("reads a running agent's resource use at once: CPU time so far, memory within its limit", async () => {
      const reading = await runtime().agentStats(agent);
      expect(reading).not.toBeNull();
      expect(Date.parse(reading!.at)).toBeGreaterThan(Date.now() - 120_000);
      expect(reading!.cpuTotalNanos).toBeGreaterThan(0);
      expect(reading!.memoryBytes).toBeGreaterThan(0);
      expect(reading!.memoryLimitBytes).toBe(64 * 1024 * 1024);
      expect(reading!.memoryBytes).toBeLessThan(reading!.memoryLimitBytes!);
      expect(await runtime().agentStats(name("never-made"))).toBeNull();
    });

    it("stops gracefully, and answers a stop of a stopped agent as unchanged", async () => {
      expect(await runtime().stopAgent(agent, 5)).toBe("changed");
      expect(await runtime().agentStats(agent)).toBeNull();
      expect(await runtime().inspectAgent(agent)).toMatchObject({ state: "exited", exitCode: 0 });
      expect(await runtime().stopAgent(agent, 5)).toBe("unchanged");
      const lines = await runtime().logs(agent, { tail: 1, timestamps: false, stdout: true, stderr: true });
      expect(lines.map((line) => line.text)).toEqual([`[${agent}] SIGTERM received, exiting cleanly`]);
    });

    it("kills a running agent (exit 137), and a kill of a stopped one does nothing", async () => {
      await runtime().startAgent(agent);
      // Killed once it has counted this boot: a kill right after the start could beat the count to the volume.
      await waitForLine(runtime(), agent, `[${agent}] boot 3`);
      await runtime().killAgent(agent);
      await eventually(async () => (await runtime().inspectAgent(agent))?.state === "exited", "the killed agent to be down");
      expect(await runtime().inspectAgent(agent)).toMatchObject({ state: "exited", exitCode: 137 });
      await runtime().killAgent(agent);
    });

    it("removes the agent and keeps its state volume: recreated, it goes on counting its boots", async () => {
      await runtime().removeAgent(agent);
      await runtime().removeAgent(agent); // gone already: not an error
      expect(await runtime().inspectAgent(agent)).toBeNull();
      expect((await runtime().listAgents()).map((entry) => entry.name)).not.toContain(agent);
      expect((await runtime().listStateVolumes()).map((volume) => volume.name)).toContain(agent);
      await runtime().createAgent({ name: agent, image: factory.image, env: {}, network: "none" });
      await runtime().startAgent(agent);
      await waitForLine(runtime(), agent, `[${agent}] boot 4`);
      await runtime().removeAgent(agent);
      await runtime().removeStateVolume(agent);
      expect((await runtime().listStateVolumes()).map((volume) => volume.name)).not.toContain(agent);
      await runtime().removeStateVolume(agent); // gone already: not an error
    });

    it("answers not_found for an agent the engine does not know", async () => {
      const ghost = name("ghost");
      expect(await runtime().inspectAgent(ghost)).toBeNull();
      for (const call of [() => runtime().startAgent(ghost), () => runtime().stopAgent(ghost, 1), () => runtime().restartAgent(ghost, 1), () => runtime().killAgent(ghost)]) {
        await expect(call()).rejects.toMatchObject({ name: "RuntimeError", kind: "not_found" });
      }
      await runtime().removeAgent(ghost); // nothing to remove: not an error
    });
  });
}
