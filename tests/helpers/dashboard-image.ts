import { randomBytes } from "node:crypto";
import fs from "node:fs";
import type Dockerode from "dockerode";
import { docker } from "./docker";
import { freePort } from "./ports";
import { TEST_OPERATOR_TOKEN } from "./server";

export const DASHBOARD_IMAGE = "hive-dashboard:latest";

/** Builds the dashboard image unless one from the same sources exists (`npm test` builds it before the suites). */
export async function ensureDashboardImage(): Promise<string> {
  const { buildImage } = await import("../../scripts/image/build-image.mjs");
  return buildImage({ quiet: true });
}

const SOCKET = (process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock").replace(/^unix:\/\//, "");

export type DashboardContainer = {
  container: Dockerode.Container;
  name: string;
  port: number;
  baseUrl: string;
  /** Its log so far (stdout and stderr). */
  logs(): Promise<string>;
  /** Milliseconds from this start until /dashboard-healthz answered 200. */
  waitHealthy(timeoutMs?: number): Promise<number>;
  /** Until the engine's own health status (the image's HEALTHCHECK) says healthy. */
  waitEngineHealthy(timeoutMs?: number): Promise<void>;
  /** The dashboard process's resident memory, read from the host's /proc (MB). */
  rssMb(): Promise<number>;
  start(): Promise<number>;
  /** Sends SIGTERM and waits: the exit code and how long it took. */
  stopWithSigterm(): Promise<{ exitCode: number; ms: number }>;
  remove(): Promise<void>;
};

async function demuxedLogs(container: Dockerode.Container): Promise<string> {
  const raw = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
  const parts: Buffer[] = [];
  for (let offset = 0; offset + 8 <= raw.length; ) {
    const size = raw.readUInt32BE(offset + 4);
    parts.push(raw.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString();
}

/**
 * Creates the dashboard's container as an operator would run it: the engine's socket mounted, a read-only root
 * with /tmp in memory, no capabilities, host networking (so the test's traffic stays on 127.0.0.1).
 */
export async function createDashboardContainer(options: { env?: Record<string, string>; binds?: string[]; hostname?: string } = {}): Promise<DashboardContainer> {
  const port = await freePort();
  const name = `hive-image-test-${randomBytes(4).toString("hex")}`;
  const env = {
    PORT: String(port),
    HIVE_HOST: "127.0.0.1",
    HIVE_OPERATOR_TOKEN: TEST_OPERATOR_TOKEN,
    HIVE_PUBLIC_URL: `http://127.0.0.1:${port}`,
    HIVE_PUBLIC_API_URL: `http://127.0.0.1:${port}`,
    ...options.env,
  };
  const container = await docker.createContainer({
    name,
    Image: DASHBOARD_IMAGE,
    Hostname: options.hostname ?? name,
    Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
    Labels: { "hive.test": "dashboard-image" },
    HostConfig: {
      NetworkMode: "host",
      ReadonlyRootfs: true,
      Tmpfs: { "/tmp": "rw,size=256m" },
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      // The socket's group, as an operator adds it (`--group-add $(stat -c %g /var/run/docker.sock)`).
      GroupAdd: [String(fs.statSync(SOCKET).gid)],
      Binds: [`${SOCKET}:/var/run/docker.sock`, ...(options.binds ?? [])],
    },
  });
  let startedAt = 0;
  const self: DashboardContainer = {
    container,
    name,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    logs: () => demuxedLogs(container),
    async start() {
      startedAt = performance.now();
      await container.start();
      return startedAt;
    },
    async waitHealthy(timeoutMs = 180_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          if ((await fetch(`${self.baseUrl}/dashboard-healthz`)).status === 200) return performance.now() - startedAt;
        } catch {
          // not listening yet
        }
        const state = (await container.inspect()).State;
        if (!state.Running) throw new Error(`the dashboard container exited (${state.ExitCode}):\n${await self.logs()}`);
        if (Date.now() > deadline) throw new Error(`not healthy after ${timeoutMs} ms:\n${await self.logs()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async waitEngineHealthy(timeoutMs = 180_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const health = (await container.inspect()).State.Health?.Status;
        if (health === "healthy") return;
        if (health === "unhealthy" || Date.now() > deadline) throw new Error(`the engine says ${health}:\n${await self.logs()}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    async rssMb() {
      const pid = (await container.inspect()).State.Pid;
      const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
      return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    },
    async stopWithSigterm() {
      const began = performance.now();
      await container.kill({ signal: "SIGTERM" });
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      return { exitCode: StatusCode, ms: performance.now() - began };
    },
    async remove() {
      await container.remove({ force: true }).catch(() => undefined);
    },
  };
  return self;
}

/** Runs a one-off command in the image (host networking, read-only root) and returns its exit code and output. */
export async function runInImage(cmd: string[], env: Record<string, string>, binds: string[] = []): Promise<{ exitCode: number; output: string }> {
  const container = await docker.createContainer({
    name: `hive-image-run-${randomBytes(4).toString("hex")}`,
    Image: DASHBOARD_IMAGE,
    Cmd: cmd,
    Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
    Labels: { "hive.test": "dashboard-image" },
    HostConfig: { NetworkMode: "host", ReadonlyRootfs: true, Tmpfs: { "/tmp": "rw,size=64m" }, CapDrop: ["ALL"], SecurityOpt: ["no-new-privileges"], Binds: binds },
  });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    return { exitCode: StatusCode, output: await demuxedLogs(container) };
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}
