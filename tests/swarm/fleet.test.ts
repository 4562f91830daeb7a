import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogDemuxer } from "@/server/runtime/docker";
import { eventually } from "../helpers/docker";
import { operatorFetch, type ServerProcess, spawnAgent, startServer, viewOf as findView } from "../helpers/server";
import { readEvents, type SseMessage } from "../helpers/sse";
import { type SwarmClusterHandle, type SwarmNodeHandle, startSwarmCluster } from "../helpers/swarm-cluster";

type LogLine = { stream: "stdout" | "stderr"; text: string; timestamp: string | null };
const lineNumber = (line: { text: string }) => Number(/ line (\d+)$/.exec(line.text)?.[1] ?? Number.NaN);
const linesOf = (events: SseMessage[]) => events.filter((event) => event.event === "lines").flatMap((event) => (JSON.parse(event.data) as { lines: LogLine[] }).lines);

// A dashboard on HIVE_RUNTIME=swarm against a two-node swarm of the test's own: what the issue asks beyond the runtime
// contract (placement over nodes, a crash on the worker, a revived tombstone, a worker engine that goes away).
let cluster: SwarmClusterHandle;
let server: ServerProcess;
const name = (suffix: string) => `sw-${suffix}`;

// A fresh embedded database on a crowded machine can take minutes to make: the cluster is made meanwhile.
process.env.HIVE_TEST_START_TIMEOUT_MS ??= "300000";

beforeAll(async () => {
  const making = startSwarmCluster();
  making.catch(() => undefined);
  cluster = await making;
  server = await startServer({
    HIVE_RUNTIME: "swarm",
    DOCKER_HOST: cluster.manager.dockerHost,
    HIVE_SWARM_NODE_ENDPOINTS: cluster.nodeEndpoints,
    HIVE_RUNTIME_RETRY_BASE_MS: "200",
    HIVE_RUNTIME_RETRY_MAX_MS: "1000",
    HIVE_RUNTIME_PROBE_INTERVAL_MS: "1000",
  });
}, 420_000);
afterAll(async () => {
  await server?.stop();
  await cluster?.destroy();
}, 120_000);

/** The agent's container on a node (the current task's), if that node's engine has it running. */
async function runningContainer(node: SwarmNodeHandle, agent: string) {
  const containers = await node.engine.listContainers({ filters: { label: [`hive.agent=${agent}`] } });
  return containers[0] ?? null;
}

/** The highest "boot N" the agent printed on this node (its state volume's counter), over all its containers there. */
async function bootCount(node: SwarmNodeHandle, agent: string): Promise<number> {
  let highest = 0;
  for (const info of await node.engine.listContainers({ all: true, filters: { label: [`hive.agent=${agent}`] } })) {
    const raw = (await node.engine.getContainer(info.Id).logs({ stdout: true, stderr: false, follow: false })) as unknown as Buffer;
    const demuxer = new LogDemuxer(false, false);
    for (const line of [...demuxer.push(raw), ...demuxer.flush()]) highest = Math.max(highest, Number(/\] boot (\d+)$/.exec(line.text)?.[1] ?? 0));
  }
  return highest;
}

async function viewOf(dashboard: ServerProcess, agent: string) {
  const view = await findView(dashboard, agent);
  if (!view) throw new Error(`${agent} is not on the page`);
  return view;
}

const spawn = (agent: string) => spawnAgent(server, agent, { image: cluster.imageId, env: { AGENT_TICK_S: "1" } });

describe("a dashboard on a two-node swarm", () => {
  const first = name("one");
  const second = name("two");

  it("spreads new agents over both nodes and shows each agent's node", async () => {
    await spawn(first);
    await spawn(second);
    const nodes = [(await viewOf(server, first)).node, (await viewOf(server, second)).node];
    expect(new Set(nodes)).toEqual(new Set([cluster.manager.hostname, cluster.worker.hostname]));
    for (const agent of [first, second]) expect(await viewOf(server, agent)).toMatchObject({ state: "running", desiredState: "running" });
  }, 120_000);

  it("records a kill on the worker as one crash, with its exit code, and recovers the agent there", async () => {
    const onWorker = (await viewOf(server, first)).node === cluster.worker.hostname ? first : second;
    const before = await viewOf(server, onWorker);
    const container = await eventually(() => runningContainer(cluster.worker, onWorker), "the agent's container on the worker");
    await cluster.worker.engine.getContainer(container.Id).kill({ signal: "SIGKILL" });
    const recovered = await eventually(
      async () => {
        const view = await viewOf(server, onWorker);
        return view.crashes.total === 1 && view.state === "running" && view.runId !== before.runId ? view : null;
      },
      "one crash recorded and the agent running again",
      60_000,
    );
    expect(recovered.crashes.last).toMatchObject({ exitCode: 137, oomKilled: false, outcome: "restart_scheduled" });
    expect(recovered.node).toBe(cluster.worker.hostname);
    expect(recovered.desiredState).toBe("running");
    // One record for the one kill, however many ways (node events, task polls) the driver heard of it.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await viewOf(server, onWorker)).crashes.total).toBe(1);
  }, 120_000);

  it("brings a revived tombstone back on its node, with its state", async () => {
    const onWorker = (await viewOf(server, first)).node === cluster.worker.hostname ? first : second;
    const boots = await eventually(async () => (await bootCount(cluster.worker, onWorker)) || null, "a boot counted");
    expect((await operatorFetch(server, `/api/agents/${onWorker}`, { method: "DELETE" })).status).toBe(200);
    const revive = await operatorFetch(server, `/api/tombstones/${onWorker}/revive`, { method: "POST", body: "{}" });
    expect(revive.status).toBe(201);
    const { approval } = (await revive.json()) as { approval: { id: string } };
    expect((await operatorFetch(server, `/api/approvals/${approval.id}/approve`, { method: "POST", body: "{}" })).status).toBe(200);
    await eventually(async () => (await viewOf(server, onWorker).catch(() => null))?.state === "running", "the revived agent running", 60_000);
    expect((await viewOf(server, onWorker)).node).toBe(cluster.worker.hostname);
    await eventually(async () => (await bootCount(cluster.worker, onWorker)) === boots + 1, "its boot counter going on from its state", 30_000);
  }, 180_000);

  it("places a new agent on the node the operator picks, and refuses a node the swarm does not have", async () => {
    for (const node of [cluster.worker, cluster.manager]) {
      const agent = name(`pick-${node.role}`);
      const spawned = await spawnAgent(server, agent, { image: cluster.imageId, env: { AGENT_TICK_S: "1" }, node: node.hostname });
      expect(spawned).toMatchObject({ state: "running", node: node.hostname });
      expect(await runningContainer(node, agent)).not.toBeNull();
    }
    const refused = await operatorFetch(server, "/api/agents", { method: "POST", body: JSON.stringify({ name: name("pick-none"), image: cluster.imageId, node: "hive-elsewhere" }) });
    expect(refused.status).toBe(400);
    const nodes = [cluster.manager.hostname, cluster.worker.hostname].sort().join(", ");
    expect((await refused.json()).error).toMatchObject({ code: "invalid_request", message: `node: no node named hive-elsewhere; the nodes are ${nodes}` });
    expect(await viewOf(server, name("pick-none")).catch(() => null)).toBeNull();
  }, 120_000);

  it("moves an agent with its state to the other node when an operator asks: stopped, state copied, started there", async () => {
    const agent = name("pick-worker");
    const before = await viewOf(server, agent);
    expect(before.node).toBe(cluster.worker.hostname);
    const boots = await eventually(async () => (await bootCount(cluster.worker, agent)) || null, "a boot counted on the worker");
    const same = await operatorFetch(server, `/api/agents/${agent}/move`, { method: "POST", body: JSON.stringify({ node: cluster.worker.hostname }) });
    expect(same.status).toBe(409);
    expect((await same.json()).error.message).toBe(`${agent} is on node ${cluster.worker.hostname} already`);
    const unknown = await operatorFetch(server, `/api/agents/${agent}/move`, { method: "POST", body: JSON.stringify({ node: "hive-elsewhere" }) });
    expect(unknown.status).toBe(400);

    const moved = await operatorFetch(server, `/api/agents/${agent}/move`, { method: "POST", body: JSON.stringify({ node: cluster.manager.hostname }) });
    expect(moved.status).toBe(200);
    const body = (await moved.json()) as { agent: { node: string; state: string }; from: string; to: string; bytes: number };
    expect(body).toMatchObject({ from: cluster.worker.hostname, to: cluster.manager.hostname, agent: { node: cluster.manager.hostname, state: "running" } });
    expect(body.bytes).toBeGreaterThan(0);
    // It runs on the manager from the state it had on the worker (its boot counter goes on), and nothing of it is left on the worker.
    expect(await runningContainer(cluster.manager, agent)).not.toBeNull();
    await eventually(async () => (await bootCount(cluster.manager, agent)) === boots + 1, "its boot counter going on from the moved state", 30_000);
    expect(await runningContainer(cluster.worker, agent)).toBeNull();
    await expect(cluster.worker.engine.getVolume(`hive-state-${agent}`).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await cluster.manager.engine.getVolume(`hive-state-${agent}`).inspect();
    const after = await viewOf(server, agent);
    expect(after).toMatchObject({ node: cluster.manager.hostname, state: "running", desiredState: "running", pending: null });
    // The move's stop is the operator's act, not a crash.
    expect(after.crashes.total).toBe(before.crashes.total);
  }, 180_000);

  it("follows the log of an agent on the worker, and a follow resumed from its cursor goes on with no line lost or twice", async () => {
    const agent = name("logs-w");
    await spawnAgent(server, agent, { image: cluster.imageId, env: { AGENT_TICK_S: "0.2" }, node: cluster.worker.hostname });
    expect((await viewOf(server, agent)).node).toBe(cluster.worker.hostname);
    await eventually(async () => {
      const body = (await (await operatorFetch(server, `/api/agents/${agent}/logs?lines=5`)).json()) as { lines: LogLine[] };
      return body.lines.length === 5 && body.lines.every((line) => Number.isInteger(lineNumber(line)));
    }, "five tick lines from the worker");
    const read = (await (await operatorFetch(server, `/api/agents/${agent}/logs?lines=5&timestamps=true`)).json()) as { lines: LogLine[]; cursor: string };
    const lastRead = lineNumber(read.lines.at(-1)!);
    // Lines printed between the read and the follow come first, from the cursor.
    await new Promise((resolve) => setTimeout(resolve, 700));
    const client = new AbortController();
    const follow = await operatorFetch(server, `/api/agents/${agent}/logs/stream?cursor=${encodeURIComponent(read.cursor)}`, { signal: client.signal });
    expect(follow.status).toBe(200);
    const events = await readEvents(follow, (all) => linesOf(all).length >= 8, { keepOpen: true, timeoutMs: 30_000 });
    const followed = linesOf(events).map(lineNumber);
    expect(followed.slice(0, 8)).toEqual(Array.from({ length: 8 }, (_, index) => lastRead + 1 + index));
    client.abort();

    const lastCursor = (JSON.parse(events.filter((event) => event.event === "lines").at(-1)!.data) as { cursor: string }).cursor;
    const again = await operatorFetch(server, `/api/agents/${agent}/logs/stream?cursor=${encodeURIComponent(lastCursor)}`);
    const resumed = linesOf(await readEvents(again, (all) => linesOf(all).length >= 3, { timeoutMs: 30_000 })).map(lineNumber);
    expect(resumed.slice(0, 3)).toEqual([followed.at(-1)! + 1, followed.at(-1)! + 2, followed.at(-1)! + 3]);
  }, 120_000);

  it("shows the worker's agents as unreachable while its engine is away, starts nothing elsewhere, and reconciles them once when it is back", async () => {
    const onWorker = (await viewOf(server, first)).node === cluster.worker.hostname ? first : second;
    const before = await viewOf(server, onWorker);
    const boots = await bootCount(cluster.worker, onWorker);
    await cluster.worker.stop();
    const away = await eventually(async () => {
      const view = await viewOf(server, onWorker);
      return view.state === "unreachable" ? view : null;
    }, "the agent shown as unreachable", 60_000);
    expect(away).toMatchObject({ desiredState: "running", node: cluster.worker.hostname });
    expect(away.crashes.total).toBe(before.crashes.total);
    // Nothing of it runs on the manager: the swarm does not move it and the dashboard does not start it elsewhere.
    expect(await runningContainer(cluster.manager, onWorker)).toBeNull();

    await cluster.worker.start();
    const back = await eventually(async () => {
      const view = await viewOf(server, onWorker);
      return view.state === "running" && view.runId !== before.runId ? view : null;
    }, "the agent running again on its node", 120_000);
    expect(back).toMatchObject({ node: cluster.worker.hostname, desiredState: "running" });
    expect(back.crashes.total).toBe(before.crashes.total);
    await eventually(async () => (await bootCount(cluster.worker, onWorker)) === boots + 1, "one more boot", 30_000);
    // Started once: a single running container, and no second boot after a while.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await cluster.worker.engine.listContainers({ filters: { label: [`hive.agent=${onWorker}`] } })).length).toBe(1);
    expect(await bootCount(cluster.worker, onWorker)).toBe(boots + 1);
    expect(await runningContainer(cluster.manager, onWorker)).toBeNull();
  }, 240_000);
});
