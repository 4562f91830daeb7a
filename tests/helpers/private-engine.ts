import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Docker from "dockerode";
import { docker as sharedEngine } from "./docker";
import { unmountUnder } from "./swarm-cluster";

/**
 * A Docker engine of the test's own (its own data root, exec root, pid file, socket and containerd namespace), for
 * tests that stop and start the engine: the shared engine at /var/run/docker.sock is never stopped. Agents there use
 * host networking or none, so the engine makes no bridge and touches no iptables.
 */
export type PrivateEngine = {
  /** DOCKER_HOST for a dashboard on this engine. */
  readonly dockerHost: string;
  readonly docker: Docker;
  /** Whether dockerd is running now. */
  readonly running: boolean;
  /** SIGTERM to dockerd, as an operator's `systemctl stop docker` would; resolves once it has exited. */
  stop(): Promise<void>;
  /** Starts dockerd again on the same data root; resolves once it answers. */
  start(): Promise<void>;
  /** Stops dockerd (if running) and removes everything it kept. */
  destroy(): Promise<void>;
};

export async function startPrivateEngine(label: string): Promise<PrivateEngine> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `hive-dockerd-${label}-`));
  const socket = path.join(root, "docker.sock");
  const args = [
    "--data-root", path.join(root, "data"),
    "--exec-root", path.join(root, "exec"),
    "--pidfile", path.join(root, "docker.pid"),
    "-H", `unix://${socket}`,
    "--bridge=none",
    "--iptables=false",
    "--ip6tables=false",
    "--containerd-namespace", `hive-${label}`,
    "--containerd-plugins-namespace", `hive-${label}-plugins`,
    "--log-level=warn",
  ];
  const docker = new Docker({ socketPath: socket });
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const logFile = path.join(root, "dockerd.log");

  const start = async () => {
    const log = fs.openSync(logFile, "a");
    child = spawn("dockerd", args, { stdio: ["ignore", log, log] });
    fs.closeSync(log);
    const current = child;
    exited = new Promise((resolve) => current.once("exit", () => resolve()));
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (current.exitCode !== null) throw new Error(`private dockerd exited at start:\n${fs.readFileSync(logFile, "utf8").slice(-3000)}`);
      if (await docker.ping().then(() => true, () => false)) return;
      if (Date.now() > deadline) throw new Error(`private dockerd did not answer within 90 s:\n${fs.readFileSync(logFile, "utf8").slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    child.kill("SIGTERM");
    await exited;
  };

  await start();
  return {
    dockerHost: `unix://${socket}`,
    docker,
    get running() {
      return Boolean(child && child.exitCode === null && child.signalCode === null);
    },
    stop,
    start,
    async destroy() {
      if (child && child.exitCode === null) {
        // Whatever is left running is removed first, so dockerd's own shutdown has nothing to wait for.
        const containers = await docker.listContainers({ all: true }).catch(() => []);
        await Promise.all(containers.map((container) => docker.getContainer(container.Id).remove({ force: true }).catch(() => undefined)));
        await stop();
      }
      // dockerd leaves mounts behind (its data root's own bind mount, network namespaces).
      unmountUnder(root);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Copies an image from the shared engine into a private one (by id: no registry, no pull), and tags it there. */
export async function copyImageInto(target: Docker, imageId: string, tag: { repo: string; tag: string }): Promise<void> {
  const exported = await sharedEngine.getImage(imageId).get();
  const loading = await target.loadImage(exported as unknown as NodeJS.ReadableStream);
  await new Promise<void>((resolve, reject) => {
    target.modem.followProgress(loading, (error: Error | null) => (error ? reject(error) : resolve()));
  });
  await target.getImage(imageId).tag(tag);
}
