import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./ports";

export const ROOT = path.resolve(__dirname, "../..");
export const TEST_OPERATOR_TOKEN = "hive_op_test-operator-token-0123456789";

export type ServerProcess = {
  port: number;
  baseUrl: string;
  dataDir: string;
  child: ChildProcess;
  output: () => string;
  /** Parsed JSON log lines printed so far. */
  logs: () => Record<string, unknown>[];
  waitForLog: (predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number) => Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
};

export function tempDir(prefix = "hive-test-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Starts the production server (`node server.mjs`, after `next build`) with the given environment. */
export async function startServer(
  env: Record<string, string | undefined> = {},
  options: { waitForListening?: boolean; port?: number; dataDir?: string } = {},
): Promise<ServerProcess> {
  if (!fs.existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
    throw new Error("no production build: run `npm run build` (npm test does it) before the server tests");
  }
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? tempDir("hive-data-");
  const merged: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    // The run's temporary directory (the server's own temporary files, such as a base path's build overlay).
    TMPDIR: process.env.TMPDIR,
    NEXT_TELEMETRY_DISABLED: "1",
    PORT: String(port),
    HIVE_HOST: "127.0.0.1",
    HIVE_DATA_DIR: dataDir,
    HIVE_OPERATOR_TOKEN: TEST_OPERATOR_TOKEN,
    LOG_LEVEL: "info",
    ...env,
  };
  const childEnv = Object.fromEntries(
    Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const child = spawn(process.execPath, ["server.mjs"], {
    cwd: ROOT,
    env: childEnv as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const wake of waiters) wake();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const logs = () =>
    text
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  const waitForLog: ServerProcess["waitForLog"] = (predicate, timeoutMs = 30_000) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = logs().find(predicate);
        if (found) {
          cleanup();
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`log line not seen within ${timeoutMs} ms; output so far:\n${text.slice(-4000)}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  const server: ServerProcess = {
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    dataDir,
    child,
    output: () => text,
    logs,
    waitForLog,
    exited,
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timeout = setTimeout(() => child.kill("SIGKILL"), 20_000);
      const code = await exited;
      clearTimeout(timeout);
      return code;
    },
  };
  if (options.waitForListening !== false) {
    // A first start creates the embedded database (tens of seconds on a busy 2-core machine);
    // HIVE_TEST_START_TIMEOUT_MS stretches the wait further.
    const startTimeout = Number(process.env.HIVE_TEST_START_TIMEOUT_MS || 110_000);
    const listening = server.waitForLog((line) => typeof line.msg === "string" && line.msg.startsWith("listening on"), startTimeout);
    const died = exited.then((code) => {
      throw new Error(`server exited with ${code} before listening:\n${text}`);
    });
    died.catch(() => undefined); // also rejects after the kill below, when nobody races it any more
    try {
      await Promise.race([listening, died]);
    } catch (error) {
      child.kill("SIGKILL"); // a server that never listened must not outlive the test that started it
      throw error;
    }
  }
  return server;
}

/** Starts several servers side by side; if one fails, the others are stopped before the error is thrown. */
export async function startServers<T extends Record<string, string | undefined>[]>(...envs: T): Promise<{ [K in keyof T]: ServerProcess }> {
  const results = await Promise.allSettled(envs.map((env) => startServer(env)));
  const failed = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
  const started = results.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  if (!failed) return started as { [K in keyof T]: ServerProcess };
  await Promise.all(started.map((server) => server.stop()));
  throw failed.reason;
}

/** fetch with the operator's bearer token (scripts' way in: no cookie, so no Origin check). */
export function operatorFetch(server: ServerProcess, pathname: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${TEST_OPERATOR_TOKEN}`);
  if (init.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  return fetch(`${server.baseUrl}${pathname}`, { ...init, headers });
}

/** Mints an agent token through the API. */
export async function mintAgentToken(server: ServerProcess, agent: string, role: "agent" | "manager" = "agent") {
  const response = await operatorFetch(server, "/api/agent-tokens", {
    method: "POST",
    body: JSON.stringify({ agent, role }),
  });
  if (response.status !== 201) throw new Error(`mint failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as { id: string; token: string; agent: string; role: string };
}

/** Spawns an agent through the dashboard's API (test agent image, no network unless given). */
export async function spawnAgent(
  server: ServerProcess,
  name: string,
  options: { env?: Record<string, string>; network?: string; role?: "agent" | "manager"; image?: string; node?: string } = {},
) {
  const response = await operatorFetch(server, "/api/agents", {
    method: "POST",
    body: JSON.stringify({ name, image: options.image ?? "hive-test-agent:latest", network: options.network ?? "none", env: options.env, role: options.role, node: options.node }),
  });
  if (response.status !== 201) throw new Error(`spawn ${name} failed: ${response.status} ${await response.text()}`);
  return (await response.json()).agent as Record<string, unknown> & { name: string; state: string; containerId: string };
}

/** The dashboard's state as an operator sees it. */
export async function dashboardState(server: ServerProcess) {
  const response = await operatorFetch(server, "/api/state");
  if (!response.ok) throw new Error(`state failed: ${response.status}`);
  return (await response.json()) as {
    containers: ({ name: string; state: string; pending: { kind: string; stuck: boolean; startedBy: string } | null } & Record<string, any>)[] | null;
    spawning: { name: string }[];
    activity: { kind: string; agent: string | null; detail: Record<string, unknown> }[];
    inFlight: boolean;
    questions: { pending: { id: string; agent: string }[]; recent: { id: string; received: boolean | null; answer: string | null }[] };
  };
}

export const viewOf = async (server: ServerProcess, name: string) =>
  (await dashboardState(server)).containers?.find((container) => container.name === name);

/** fetch as an agent (bearer agent token). */
export function agentFetch(server: ServerProcess, token: string, pathname: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${token}`);
  if (init.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  return fetch(`${server.baseUrl}${pathname}`, { ...init, headers });
}

export async function askQuestion(server: ServerProcess, token: string, body: Record<string, unknown>) {
  const response = await agentFetch(server, token, "/api/agent/questions", { method: "POST", body: JSON.stringify(body) });
  if (response.status !== 201) throw new Error(`ask failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as { id: string; deadline_at: string | null };
}
