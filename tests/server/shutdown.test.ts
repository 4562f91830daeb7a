import pg from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { agentPrefix, cleanupAgents, eventually } from "../helpers/docker";
import { createMigratedDatabase } from "../helpers/postgres";
import { dashboardState, operatorFetch, type ServerProcess, spawnAgent, startServer } from "../helpers/server";

// SIGTERM always ends the process: requests drain for half the deadline, and a step still running at the deadline is
// named in the log before the process exits.
const prefix = agentPrefix();
let servers: ServerProcess[] = [];
afterEach(async () => {
  await Promise.all(servers.map((server) => server.stop("SIGKILL")));
  servers = [];
});
afterAll(() => cleanupAgents(prefix));

const exitOf = (server: ServerProcess) => server.exited.then((code) => ({ code, signal: server.child.signalCode }));

describe("shutdown", () => {
  it("cuts requests still running at half the deadline, after letting shorter ones finish", async () => {
    const server = await startServer({ HIVE_SHUTDOWN_TIMEOUT_MS: "8000" });
    servers.push(server);
    const quick = `${prefix}-quick`;
    const slow = `${prefix}-slow`;
    await spawnAgent(server, quick, { env: { AGENT_STOP_DELAY_S: "1" } });
    await spawnAgent(server, slow, { env: { AGENT_STOP_DELAY_S: "60" } });
    const stop = (name: string) => operatorFetch(server, `/api/agents/${name}/stop`, { method: "POST", body: JSON.stringify({ timeoutSeconds: 120 }) });
    const quickStop = stop(quick);
    const slowStop = stop(slow).then(
      (response) => ({ status: response.status }),
      (error: Error) => ({ error: error.message }),
    );
    const pills = async () => ((await dashboardState(server)).containers ?? []).filter((view) => view.pending?.kind === "stopping").length;
    await eventually(async () => (await pills()) === 2, "both stops in flight");
    const exit = exitOf(server);
    server.child.kill("SIGTERM");

    // The 1 s stop finished inside the 4 s drain; the 60 s one was cut when the drain ran out, and the process went on.
    expect((await quickStop).status).toBe(200);
    expect(await slowStop).toHaveProperty("error");
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(server.logs().find((line) => line.msg === "drain timed out; closing remaining connections")).toMatchObject({ inflight: 1, drainMs: 4000 });
    expect(server.logs().some((line) => line.msg === "dashboard stopped")).toBe(true);
  }, 120_000);

  it("exits at the deadline when a step hangs, naming the step", async () => {
    const url = await createMigratedDatabase(inject("postgresAdminUrl"));
    const server = await startServer({ DATABASE_URL: url, HIVE_SHUTDOWN_TIMEOUT_MS: "3000" });
    servers.push(server);
    // A held database: this lock keeps the instance registry's goodbye (a delete of its row) waiting forever.
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query("begin");
      await holder.query("lock table instances in access exclusive mode");
      const exit = exitOf(server);
      server.child.kill("SIGTERM");
      expect(await exit).toEqual({ code: 1, signal: null });
      const hung = server.logs().find((line) => typeof line.msg === "string" && line.msg.startsWith("shutdown hung"));
      expect(hung).toMatchObject({ step: "worker instance-registry", deadlineMs: 3000, signal: "SIGTERM" });
      expect(hung?.msg).toBe('shutdown hung in step "worker instance-registry"; exiting at the 3000 ms deadline');
      expect(server.logs().some((line) => line.msg === "dashboard stopped")).toBe(false);
    } finally {
      await holder.end().catch(() => undefined);
    }
  });
});
