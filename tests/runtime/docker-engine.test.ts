import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerRuntime } from "@/server/runtime/docker/driver";
import { RuntimeError } from "@/server/runtime/types";
import { agentPrefix, cleanupAgents, docker, TEST_IMAGE } from "../helpers/docker";

// What the Docker driver does that the runtime contract (tests/runtime/contract) leaves to each engine: how it lays out
// containers and volumes on the engine, and how it reports an engine it cannot reach.
const INSTALLATION = `test-engine-${process.pid}`;
const runtime = new DockerRuntime({ dockerHost: "unix:///var/run/docker.sock", restartPolicy: "no", probeTimeoutMs: 3_000, installation: INSTALLATION });
const prefix = agentPrefix();
const name = `${prefix}-layout`;

describe("Docker engine driver: what it makes on the engine", () => {
  beforeAll(async () => {
    await runtime.ping();
  });
  afterAll(async () => {
    await cleanupAgents(prefix);
  });

  it("creates a labelled container with its limits, its env and its labelled state volume mounted at /state", async () => {
    const { containerId } = await runtime.createAgent({ name, image: TEST_IMAGE, env: { GREETING: "hello" }, memoryMb: 64, cpus: 0.5, network: "none" });
    const inspect = await docker.getContainer(containerId).inspect();
    expect(inspect.Name).toBe(`/hive-${name}`);
    expect(inspect.Config.Labels["hive.agent"]).toBe(name);
    expect(inspect.Config.Labels["hive.installation"]).toBe(INSTALLATION);
    expect(inspect.Config.Env).toEqual(expect.arrayContaining(["GREETING=hello", `HIVE_AGENT_NAME=${name}`, "HIVE_STATE_DIR=/state"]));
    expect(inspect.HostConfig.Memory).toBe(64 * 1024 * 1024);
    expect(inspect.HostConfig.NanoCpus).toBe(5e8);
    expect(inspect.HostConfig.RestartPolicy?.Name).toBe("no");
    expect(inspect.Mounts).toEqual([expect.objectContaining({ Type: "volume", Name: `hive-state-${name}`, Destination: "/state" })]);
    const volume = await docker.getVolume(`hive-state-${name}`).inspect();
    expect(volume.Labels).toMatchObject({ "hive.state": name, "hive.managed-by": "hive-dashboard", "hive.installation": INSTALLATION });
    const info = (await docker.info()) as { Name: string };
    expect((await runtime.inspectAgent(name))?.node).toBe(info.Name);
  });

  it("reports sizes of our state volumes", async () => {
    await runtime.startAgent(name);
    const sizes = await runtime.stateVolumeSizes();
    expect(sizes.get(name)).toBeGreaterThan(0);
    await runtime.removeAgent(name);
  });

  it("removes only volumes that carry our label", async () => {
    const foreign = `hive-state-${prefix}-foreign`;
    await docker.createVolume({ Name: foreign, Labels: { "hive.state": `${prefix}-other` } });
    await expect(runtime.removeStateVolume(`${prefix}-foreign`)).rejects.toThrow(/not a Hive state volume/);
    await docker.getVolume(foreign).inspect();
    await docker.getVolume(foreign).remove();
    await runtime.removeStateVolume(name);
    await expect(docker.getVolume(`hive-state-${name}`).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe("Docker engine driver when the engine is unreachable", () => {
  it("classifies a socket nobody listens on as unavailable", async () => {
    const dead = new DockerRuntime({ dockerHost: `unix://${path.join(os.tmpdir(), "hive-no-engine.sock")}`, restartPolicy: "no", probeTimeoutMs: 1_000, installation: INSTALLATION });
    const error = await dead.ping().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RuntimeError);
    expect(error).toMatchObject({ kind: "unavailable", message: expect.stringMatching(/^ENOENT/) });
  });

  it("reports the refusal, not a timeout, when the thread was busy past the deadline while the refusal waited", async () => {
    const dead = new DockerRuntime({ dockerHost: `unix://${path.join(os.tmpdir(), "hive-no-engine.sock")}`, restartPolicy: "no", probeTimeoutMs: 200, installation: INSTALLATION });
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
    const runtime = new DockerRuntime({ dockerHost: `unix://${socketPath}`, restartPolicy: "no", probeTimeoutMs: 500, installation: INSTALLATION });
    const started = Date.now();
    await expect(runtime.ping()).rejects.toMatchObject({ kind: "unavailable", message: expect.stringMatching(/^ETIMEDOUT/) });
    expect(Date.now() - started).toBeLessThan(2_000);
    for (const socket of sockets) socket.destroy();
    hanging.close();
  });
});
