import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerRuntime } from "@/server/runtime/docker";
import { type RuntimeEvent, RuntimeError } from "@/server/runtime/types";
import { agentPrefix, cleanupAgents, docker, eventually, TEST_IMAGE } from "../helpers/docker";

const runtime = new DockerRuntime({ dockerHost: "unix:///var/run/docker.sock", probeTimeoutMs: 3_000 });
const prefix = agentPrefix();
const name = `${prefix}-life`;

async function stateOf(agent: string) {
  return (await runtime.inspectAgent(agent))?.state;
}

describe("Docker engine driver (real engine)", () => {
  beforeAll(async () => {
    await runtime.ping();
  });
  afterAll(async () => {
    await cleanupAgents(prefix);
  });

  it("creates an agent with its labelled state volume and lists it by label", async () => {
    const { containerId } = await runtime.createAgent({
      name,
      image: TEST_IMAGE,
      env: { GREETING: "hello" },
      memoryMb: 64,
      cpus: 0.5,
      network: "none",
    });
    const inspect = await docker.getContainer(containerId).inspect();
    expect(inspect.Config.Labels["hive.agent"]).toBe(name);
    expect(inspect.Config.Env).toEqual(expect.arrayContaining(["GREETING=hello", `HIVE_AGENT_NAME=${name}`, "HIVE_STATE_DIR=/state"]));
    expect(inspect.HostConfig.Memory).toBe(64 * 1024 * 1024);
    expect(inspect.HostConfig.NanoCpus).toBe(5e8);
    expect(inspect.Mounts).toEqual([expect.objectContaining({ Type: "volume", Name: `hive-state-${name}`, Destination: "/state" })]);
    const volume = await docker.getVolume(`hive-state-${name}`).inspect();
    expect(volume.Labels).toMatchObject({ "hive.state": name, "hive.managed-by": "hive-dashboard" });
    const listed = (await runtime.listAgents()).find((agent) => agent.name === name);
    expect(listed).toMatchObject({ name, state: "created", containerName: `hive-${name}`, image: TEST_IMAGE });
  });

  it("starts, and treats starting a running agent as a no-op", async () => {
    expect(await runtime.startAgent(name)).toBe("changed");
    expect(await stateOf(name)).toBe("running");
    expect(await runtime.startAgent(name)).toBe("unchanged");
    const agent = await runtime.inspectAgent(name);
    expect(agent?.state).toBe("running");
    expect(Date.parse(agent!.startedAt!)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("reads logs with stdout and stderr apart, tail and timestamps", async () => {
    await eventually(async () => (await runtime.logs(name, { tail: 100, timestamps: false, stdout: true, stderr: true })).length >= 3, "three log lines");
    const lines = await runtime.logs(name, { tail: 2, timestamps: true, stdout: true, stderr: false });
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ stream: "stdout", text: expect.stringMatching(new RegExp(`^\\[${name}\\] line \\d+$`)) });
    expect(lines[1]!.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const first = await runtime.logs(name, { tail: 1000, timestamps: false, stdout: true, stderr: true });
    expect(first[0]).toEqual({ stream: "stdout", text: `[${name}] boot 1`, timestamp: null });
  });

  it("streams engine events for our agents", async () => {
    const controller = new AbortController();
    const seen: RuntimeEvent[] = [];
    const reading = (async () => {
      for await (const event of runtime.events(controller.signal)) {
        if (event.agent === name) seen.push(event);
        if (seen.some((entry) => entry.action === "start")) break;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await runtime.restartAgent(name, 5);
    await reading;
    controller.abort();
    expect(seen.map((event) => event.action)).toEqual(expect.arrayContaining(["die", "start"]));
    const die = seen.find((event) => event.action === "die")!;
    expect(die.exitCode).toBe(0); // the agent exits cleanly on SIGTERM
    expect(await stateOf(name)).toBe("running");
  });

  it("stops gracefully, and treats stopping a stopped agent as a no-op", async () => {
    expect(await runtime.stopAgent(name, 5)).toBe("changed");
    const stopped = await runtime.inspectAgent(name);
    expect(stopped).toMatchObject({ state: "exited", exitCode: 0 });
    expect(await runtime.stopAgent(name, 5)).toBe("unchanged");
    const tail = await runtime.logs(name, { tail: 1, timestamps: false, stdout: true, stderr: true });
    expect(tail[0]?.text).toBe(`[${name}] SIGTERM received, exiting cleanly`);
  });

  it("kills a running agent and treats killing a stopped one as a no-op", async () => {
    await runtime.startAgent(name);
    // Killed only once it has counted this boot: a kill right after the start can beat the count to the volume.
    await eventually(async () => {
      const lines = await runtime.logs(name, { tail: 1000, timestamps: false, stdout: true, stderr: true });
      return lines.some((line) => line.text === `[${name}] boot 3`);
    }, "boot 3");
    await runtime.killAgent(name);
    expect(await runtime.inspectAgent(name)).toMatchObject({ state: "exited", exitCode: 137 });
    await runtime.killAgent(name);
  });

  it("keeps the state volume across remove and recreate (the boot counter continues)", async () => {
    await runtime.removeAgent(name);
    await runtime.removeAgent(name); // already gone: not an error
    expect(await runtime.inspectAgent(name)).toBeNull();
    expect((await runtime.listStateVolumes()).map((volume) => volume.name)).toContain(name);
    await runtime.createAgent({ name, image: TEST_IMAGE, env: {}, network: "none" });
    await runtime.startAgent(name);
    await eventually(async () => {
      const lines = await runtime.logs(name, { tail: 1000, timestamps: false, stdout: true, stderr: true });
      return lines.some((line) => line.text === `[${name}] boot 4`);
    }, "boot 4 after three earlier boots");
    await runtime.removeAgent(name);
  });

  it("reports sizes of our state volumes", async () => {
    const sizes = await runtime.stateVolumeSizes();
    expect(sizes.get(name)).toBeGreaterThan(0);
  });

  it("removes only volumes that carry our label", async () => {
    const foreign = `hive-state-${prefix}-foreign`;
    await docker.createVolume({ Name: foreign, Labels: { "hive.state": `${prefix}-other` } });
    await expect(runtime.removeStateVolume(`${prefix}-foreign`)).rejects.toThrow(/not a Hive state volume/);
    await docker.getVolume(foreign).inspect();
    await docker.getVolume(foreign).remove();
    await runtime.removeStateVolume(name);
    await expect(docker.getVolume(`hive-state-${name}`).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await runtime.removeStateVolume(name); // already gone: not an error
  });

  it("answers not_found for agents the engine does not know", async () => {
    await expect(runtime.startAgent(`${prefix}-ghost`)).rejects.toMatchObject({ kind: "not_found" });
  });
});

describe("Docker engine driver when the engine is unreachable", () => {
  it("classifies a socket nobody listens on as unavailable", async () => {
    const dead = new DockerRuntime({ dockerHost: `unix://${path.join(os.tmpdir(), "hive-no-engine.sock")}`, probeTimeoutMs: 1_000 });
    const error = await dead.ping().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RuntimeError);
    expect(error).toMatchObject({ kind: "unavailable", message: expect.stringMatching(/^ENOENT/) });
  });

  it("reports the refusal, not a timeout, when the thread was busy past the deadline while the refusal waited", async () => {
    const dead = new DockerRuntime({ dockerHost: `unix://${path.join(os.tmpdir(), "hive-no-engine.sock")}`, probeTimeoutMs: 200 });
    // The probe goes out from a callback that then keeps the thread busy past the deadline, as a migration or a first
    // render does at start; the refusal is already queued when the deadline's timer gets its turn.
    const probe = await new Promise<Promise<unknown>>((resolve) =>
      setImmediate(() => {
        const outcome = dead.ping().catch((caught: unknown) => caught);
        const busyUntil = Date.now() + 400;
        while (Date.now() < busyUntil);
        resolve(outcome);
      }),
    );
    expect(await probe).toMatchObject({ kind: "unavailable", message: expect.stringMatching(/^ENOENT/) });
  });

  it("gives up on a hanging engine within the probe timeout", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hive-hang-"));
    const socketPath = path.join(dir, "docker.sock");
    const sockets: net.Socket[] = [];
    const hanging = net.createServer((socket) => sockets.push(socket)); // accepts, never answers
    await new Promise<void>((resolve) => hanging.listen(socketPath, resolve));
    const runtime = new DockerRuntime({ dockerHost: `unix://${socketPath}`, probeTimeoutMs: 500 });
    const started = Date.now();
    await expect(runtime.ping()).rejects.toMatchObject({ kind: "unavailable", message: expect.stringMatching(/^ETIMEDOUT/) });
    expect(Date.now() - started).toBeLessThan(2_000);
    for (const socket of sockets) socket.destroy();
    hanging.close();
  });
});
