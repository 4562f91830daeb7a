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
