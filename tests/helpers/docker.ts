import { randomBytes } from "node:crypto";
import Docker from "dockerode";

/** A test-side engine client, for arranging and checking things behind the dashboard's back. */
export const docker = new Docker({ socketPath: (process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock").replace(/^unix:\/\//, "") });
export const TEST_IMAGE = "hive-test-agent:latest";

/** A unique prefix for the agent names of one test file, so cleanup never touches anything else. */
export function agentPrefix(): string {
  return `t${randomBytes(3).toString("hex")}`;
}

/** Removes every container and state volume whose agent name starts with the prefix. */
export async function cleanupAgents(prefix: string): Promise<void> {
  const containers = await docker.listContainers({ all: true, filters: { label: ["hive.agent"] } });
  await Promise.all(
    containers
      .filter((container) => container.Labels["hive.agent"]?.startsWith(prefix))
      .map((container) => docker.getContainer(container.Id).remove({ force: true }).catch(() => undefined)),
  );
  const { Volumes } = await docker.listVolumes({ filters: { label: ["hive.state"] } });
  await Promise.all(
    (Volumes ?? [])
      .filter((volume) => volume.Labels?.["hive.state"]?.startsWith(prefix))
      .map((volume) => docker.getVolume(volume.Name).remove().catch(() => undefined)),
  );
}

/** Waits until `check` returns a truthy value (polling), or fails with the description. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, description: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}${last ? `: ${(last as Error).message}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The container's log lines (stdout and stderr), read through the engine API. */
export async function containerLines(name: string): Promise<string[]> {
  const { LogDemuxer } = await import("@/server/runtime/docker");
  const container = docker.getContainer(`hive-${name}`);
  const buffer = (await container.logs({ stdout: true, stderr: true, follow: false, tail: 5000 })) as unknown as Buffer;
  const demuxer = new LogDemuxer(false, false);
  return [...demuxer.push(buffer), ...demuxer.flush()].map((line) => line.text);
}

/** The highest "boot N" the test agent has printed: its state volume's boot counter. */
export async function bootCount(name: string): Promise<number> {
  const boots = (await containerLines(name)).map((line) => /\] boot (\d+)$/.exec(line)?.[1]).filter(Boolean);
  return boots.length ? Math.max(...boots.map(Number)) : 0;
}

export async function engineState(name: string): Promise<{ id: string; status: string; exitCode: number; startedAt: string; env: string[] } | null> {
  try {
    const inspect = await docker.getContainer(`hive-${name}`).inspect();
    return { id: inspect.Id, status: inspect.State.Status, exitCode: inspect.State.ExitCode, startedAt: inspect.State.StartedAt, env: inspect.Config.Env };
  } catch {
    return null;
  }
}
