import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentPrefix, cleanupAgents, docker, engineState, eventually } from "../helpers/docker";
import { type EngineProxy, startEngineProxy } from "../helpers/engine-proxy";
import { createMigratedDatabase, type PostgresCluster, startPostgres } from "../helpers/postgres";
import { operatorFetch, type ServerProcess, spawnAgent, startServer, viewOf } from "../helpers/server";

// Two replicas on one PostgreSQL; the leader is SIGKILLed while a restart, a rebuild and a spawn it runs wait on the
// engine (their answers held by a proxy in front of it: each has reached the engine, none has come back).
const prefix = agentPrefix();
const restarted = `${prefix}-restart`;
const rebuilt = `${prefix}-rebuild`;
const spawned = `${prefix}-spawn`;
/** Killed while leadership moves: its crash must be recorded once, by the new leader. */
const crashed = `${prefix}-crash`;
const HELD = /^POST (\/v[\d.]+)?\/containers\/(create\b|[^/]+\/restart\b)/;

let cluster: PostgresCluster;
let url: string;
let proxy: EngineProxy;
let doomed: ServerProcess;
let survivor: ServerProcess;

const leads = (server: ServerProcess) => server.logs().some((line) => String(line.msg).startsWith("this process leads"));
const reclaimedBy = (server: ServerProcess) => server.logs().filter((line) => line.msg === "reclaimed an in-flight slot left by a dead process").map((line) => line.agent as string);

async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
const crashCount = async (agent: string) => (await query<{ n: number }>("select count(*)::int as n from crash_records where agent = $1", [agent]))[0]!.n;

/** The engine's containers of an agent, by name (a rebuild left half done shows a `-replaced-` one beside it). */
async function containersOf(agent: string) {
  const listed = await docker.listContainers({ all: true, filters: { label: [`hive.agent=${agent}`] } });
  return listed.map((container) => ({ name: container.Names[0]!, state: container.State }));
}

beforeAll(async () => {
  cluster = await startPostgres();
  url = await createMigratedDatabase(cluster.url());
  proxy = await startEngineProxy();
  // The one to be killed starts first and leads; the survivor has been up for the reclaim window by the time it acts.
  doomed = await startServer({ DATABASE_URL: url, DOCKER_HOST: proxy.dockerHost });
  await eventually(async () => leads(doomed), "the first replica to lead", 30_000);
  survivor = await startServer({ DATABASE_URL: url });
  for (const name of [restarted, rebuilt, crashed]) await spawnAgent(doomed, name, { env: { AGENT_QUIET: "1" } });
}, 300_000);

afterAll(async () => {
  await Promise.all([doomed?.stop(), survivor?.stop()]);
  await proxy?.close();
  await cleanupAgents(prefix);
  cluster?.destroy();
}, 120_000);

describe("a replica SIGKILLed in the middle of a restart, a rebuild and a spawn", () => {
  it("the other replica takes over: leadership within 30 s, slots reclaimed before their deadlines, crashes recorded once, no orphan", async () => {
    proxy.hang(HELD);
    const actedAt = Date.now();
    const calls = [
      operatorFetch(doomed, `/api/agents/${restarted}/restart`, { method: "POST", body: JSON.stringify({ timeoutSeconds: 2 }) }),
      operatorFetch(doomed, `/api/agents/${rebuilt}/rebuild`, { method: "POST", body: "{}" }),
      operatorFetch(doomed, "/api/agents", { method: "POST", body: JSON.stringify({ name: spawned, image: "hive-test-agent:latest", network: "none", env: { AGENT_QUIET: "1" } }) }),
    ].map((call) => call.catch(() => null));
    // Each has reached the engine: the restart and both creates went out, and every replica shows the three pills.
    await eventually(async () => proxy.requests().filter((line) => HELD.test(line)).length >= 3, "the restart and the two creates to reach the engine", 60_000);
    await eventually(async () => (await containersOf(rebuilt)).some((container) => container.name.includes("-replaced-")), "the rebuild to park the old container", 30_000);
    await eventually(async () => (await containersOf(spawned)).length === 1, "the spawn's container to be made", 30_000);
    const slots = await query<{ agent: string; kind: string; deadline_at: Date }>("select agent, kind, deadline_at from transients order by agent");
    expect(slots.map((slot) => [slot.agent, slot.kind])).toEqual(
      [[rebuilt, "rebuilding"], [restarted, "restarting"], [spawned, "spawning"]].sort((x, y) => x[0]!.localeCompare(y[0]!)),
    );
    const earliestDeadline = Math.min(...slots.map((slot) => new Date(slot.deadline_at).getTime()));
    expect((await viewOf(survivor, restarted))?.pending?.kind).toBe("restarting");

    doomed.child.kill("SIGKILL");
    await doomed.exited;
    const killedAt = Date.now();
    await Promise.all(calls);
    // An agent dies while nobody leads.
    await docker.getContainer(`hive-${crashed}`).kill();
    const crashedAt = Date.now();

    const leadLine = await survivor.waitForLog((line) => String(line.msg).startsWith("this process leads"), 30_000);
    const handoverMs = Date.now() - killedAt;
    expect(handoverMs).toBeLessThan(30_000);

    // The death while leadership moved is recorded once and the agent recovered.
    await eventually(async () => (await crashCount(crashed)) === 1, "the crash that happened while leadership moved to be recorded", 30_000);
    await eventually(async () => (await engineState(crashed))?.status === "running", "the crashed agent to be recovered", 30_000);

    // The dead replica's slots are reclaimed, well before their deadlines (2 min; a rebuild's 10 min).
    await eventually(async () => [restarted, rebuilt, spawned].every((name) => reclaimedBy(survivor).includes(name)), "the dead replica's three slots to be reclaimed", 90_000);
    const reclaimedAfterMs = Date.now() - actedAt;
    expect(Date.now()).toBeLessThan(earliestDeadline);

    // Nothing is left half made: each agent has one container, under its own name, running as its desired state says.
    for (const name of [restarted, rebuilt, spawned]) {
      await eventually(
        async () => {
          const containers = await containersOf(name);
          return containers.length === 1 && containers[0]!.name === `/hive-${name}` && containers[0]!.state === "running";
        },
        `${name} to be one running container, nothing parked or left unstarted`,
        60_000,
      );
      expect((await viewOf(survivor, name))?.desiredState, name).toBe("running");
    }
    // The follow-ups (settling the rebuild, starting the spawn) held slots of the survivor's own for a moment; then
    // nothing is in flight and no pill shows.
    await eventually(async () => (await query("select agent from transients")).length === 0, "no slot left in flight", 30_000);
    for (const name of [restarted, rebuilt, spawned]) expect((await viewOf(survivor, name))?.pending ?? null, name).toBeNull();
    const settled = await query<{ detail: { outcome: string } }>("select detail from events where kind = 'recreate_settled' and agent = $1", [rebuilt]);
    expect(settled.map((row) => row.detail.outcome)).toEqual(["kept-new"]);

    // No crash twice, none made up: the actions' own stops were no crashes; the one death was recorded once.
    for (const name of [restarted, rebuilt, spawned]) expect(await crashCount(name), name).toBe(0);
    expect(await crashCount(crashed)).toBe(1);
    const tookOverAfterCrash = Date.parse(String(leadLine.time)) > crashedAt - 50;
    console.log(
      `replica SIGKILL: leadership moved ${handoverMs} ms after the kill (${tookOverAfterCrash ? "after" : "before"} the agent died); slots reclaimed ${reclaimedAfterMs} ms after the actions began`,
    );
  }, 300_000);
});
