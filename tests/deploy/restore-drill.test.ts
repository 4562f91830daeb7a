import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { agentPrefix, cleanupAgents, docker, eventually } from "../helpers/docker";
import { createMigratedDatabase } from "../helpers/postgres";
import { agentFetch, askQuestion, mintAgentToken, operatorFetch, ROOT, type ServerProcess, spawnAgent, startServer, tempDir, TEST_OPERATOR_TOKEN } from "../helpers/server";

// A restore drill, as an operator would run it: make history, `npm run backup`, stop, wipe, `npm run restore`, start.
// The dashboard must then show what it showed before the backup.
const prefix = agentPrefix();
afterAll(() => cleanupAgents(prefix));

const byKey = (key: string) => (a: Record<string, unknown>, b: Record<string, unknown>) => String(a[key]).localeCompare(String(b[key]));
const pick = (row: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.map((key) => [key, row[key]]));

/** What the operator sees of this drill's agents: everything kept in the database, nothing the engine decides. */
async function picture(server: ServerProcess, names: string[], spawned: string[]) {
  const state = await (await operatorFetch(server, "/api/state")).json();
  const ours = (name: string) => names.includes(name);
  const crashes: Record<string, unknown[]> = {};
  for (const name of spawned) {
    const answer = await (await operatorFetch(server, `/api/agents/${name}/crashes`)).json();
    crashes[name] = answer.crashes.map((crash: Record<string, unknown>) => pick(crash, ["crashedAt", "exitCode", "oomKilled", "containerId"]));
  }
  const audit = (await (await operatorFetch(server, "/api/audit?limit=1000")).json()).entries as Record<string, unknown>[];
  return {
    desired: state.containers
      .filter((container: { name: string }) => ours(container.name))
      .map((container: Record<string, unknown>) => pick(container, ["name", "desiredState", "desiredChangedBy", "desiredChangedAt", "role"]))
      .sort(byKey("name")),
    questions: [...state.questions.pending, ...state.questions.recent]
      .filter((question: { agent: string }) => ours(question.agent))
      .map((question: Record<string, unknown>) => pick(question, ["id", "agent", "question", "options", "status", "answer", "answeredBy", "deadlineAt", "createdAt"]))
      .sort(byKey("id")),
    approvals: [...state.approvals.pending, ...state.approvals.recent]
      .filter((approval: { agent: string }) => ours(approval.agent))
      .map((approval: Record<string, unknown>) => pick(approval, ["id", "kind", "agent", "status", "description", "requestedBy", "decidedBy", "note"]))
      .sort(byKey("id")),
    tombstones: (state.tombstones ?? [])
      .filter((tombstone: { name: string }) => ours(tombstone.name))
      .map((tombstone: Record<string, unknown>) => pick(tombstone, ["name", "destroyedAt", "configKept", "credentialsKept", "image", "crashes"]))
      .sort(byKey("name")),
    crashes,
    audit: audit.map((row) => pick(row, ["id", "at", "actor", "action", "target", "result", "status", "traceId"])).sort(byKey("id")),
  };
}

function npmRun(script: string, args: string[], env: Record<string, string>) {
  const result = spawnSync("npm", ["run", "--silent", script, "--", ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: "utf8" });
  expect(result.status, `npm run ${script}: ${result.stdout}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

/** Spawns, asks, answers, cancels, requests, crashes, stops and destroys: one of each thing a backup must keep. */
async function makeHistory(server: ServerProcess) {
  const unique = Math.random().toString(36).slice(2, 6);
  const [steady, stopped, crashed, destroyed] = ["steady", "stopped", "crashed", "gone"].map((role) => `${prefix}-${role}-${unique}`) as [string, string, string, string];
  for (const name of [steady, stopped, crashed, destroyed]) await spawnAgent(server, name);
  const token = (await mintAgentToken(server, steady)).token;
  const answered = await askQuestion(server, token, { question: "Ship it?", options: ["yes", "no"] });
  await askQuestion(server, token, { question: "Which region?", ttl_seconds: 3600 });
  const cancelled = await askQuestion(server, token, { question: "Retry?" });
  expect((await operatorFetch(server, `/api/questions/${answered.id}/answer`, { method: "POST", body: JSON.stringify({ choices: ["yes"], text: "go" }) })).status).toBe(200);
  expect((await operatorFetch(server, `/api/questions/${cancelled.id}/cancel`, { method: "POST", body: "{}" })).status).toBe(200);
  const manager = (await mintAgentToken(server, `${prefix}-manager`, "manager")).token;
  const spawnRequest = { kind: "spawn", name: `${prefix}-wanted`, config: { image: "hive-test-agent:latest", network: "none" }, description: "An indexer" };
  expect((await agentFetch(server, manager, "/api/agent/approvals", { method: "POST", body: JSON.stringify(spawnRequest) })).status).toBe(201);
  expect((await operatorFetch(server, `/api/agents/${stopped}/stop`, { method: "POST", body: "{}" })).status).toBe(200);
  // A crash: the container killed behind the dashboard's back; the crash watch records it and starts it again.
  await docker.getContainer(`hive-${crashed}`).kill();
  await eventually(async () => (await (await operatorFetch(server, `/api/agents/${crashed}/crashes`)).json()).crashes.length === 1, "the crash record", 30_000);
  expect((await operatorFetch(server, `/api/agents/${destroyed}`, { method: "DELETE" })).status).toBe(200);
  const spawned = [steady, stopped, crashed, destroyed];
  const names = [...spawned, `${prefix}-wanted`, `${prefix}-manager`];
  // Settled: the crashed agent is back up and every action's row is written.
  await eventually(async () => {
    const state = await (await operatorFetch(server, "/api/state")).json();
    return !state.inFlight && state.containers.find((container: { name: string }) => container.name === crashed)?.state === "running";
  }, "the crashed agent restarted", 30_000);
  return { names, spawned, token };
}

describe.each(["pglite", "postgres"] as const)("restore drill on %s", (kind) => {
  it("backs up, wipes, restores: the same desired states, questions, approvals, tombstones, crash history and audit", async () => {
    const dataDir = tempDir("hive-drill-data-");
    const backupDir = tempDir("hive-drill-backups-");
    const databaseUrl = kind === "postgres" ? await createMigratedDatabase(inject("postgresAdminUrl")) : undefined;
    const env = { HIVE_DATA_DIR: dataDir, HIVE_BACKUP_DIR: backupDir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) };
    let server = await startServer(env, { dataDir });
    try {
      const { names, spawned, token } = await makeHistory(server);
      const before = await picture(server, names, spawned);
      expect(before.desired.map((row: Record<string, unknown>) => row.desiredState).sort()).toEqual(["running", "running", "stopped"]);
      expect(before.questions.map((row) => row.status).sort()).toEqual(["answered", "cancelled", "pending"]);
      expect(before.approvals).toHaveLength(1);
      expect(before.tombstones).toHaveLength(1);
      expect(Object.values(before.crashes).flat()).toHaveLength(1);
      expect(before.audit.length).toBeGreaterThan(8);

      const printed = npmRun("backup", [], { ...env, HIVE_OPERATOR_TOKEN: TEST_OPERATOR_TOKEN, HIVE_SERVER_URL: server.baseUrl });
      const files = fs.readdirSync(backupDir);
      expect(files).toEqual([expect.stringMatching(kind === "postgres" ? /^hive-\d{8}T\d{6}Z\.pgdump$/ : /^hive-\d{8}T\d{6}Z\.pglite\.tar\.gz$/)]);
      expect(printed).toContain(files[0]);

      // Stop the writers, wipe, restore, start.
      expect(await server.stop()).toBe(0);
      if (databaseUrl) {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        await client.query("drop schema public cascade; create schema public; drop schema if exists drizzle cascade");
        await client.end();
      } else {
        for (const entry of fs.readdirSync(dataDir)) fs.rmSync(path.join(dataDir, entry), { recursive: true, force: true });
      }
      npmRun("restore", [path.join(backupDir, files[0]!)], env);
      server = await startServer(env, { dataDir });

      expect(await picture(server, names, spawned)).toEqual(before);
      // The agents' credentials came back too: the token minted before the backup still works.
      expect((await agentFetch(server, token, "/api/agent/inbox")).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
