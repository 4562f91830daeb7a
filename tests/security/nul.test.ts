import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentPrefix, cleanupAgents, eventually, TEST_IMAGE } from "../helpers/docker";
import { agentFetch, askQuestion, mintAgentToken, operatorFetch, type ServerProcess, spawnAgent, startServer } from "../helpers/server";

let server: ServerProcess;
const prefix = agentPrefix();
const MARK = "nul-probe-secret-2c9e";
const NUL = "\u0000";

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
  await cleanupAgents(prefix);
});

describe("[NUL] a NUL character in any stored string", () => {
  it("is refused with 400 naming the field, on every route that stores text, and no log line holds the values", async () => {
    const agent = `${prefix}-asker`;
    const asker = (await mintAgentToken(server, agent)).token;
    const manager = (await mintAgentToken(server, `${prefix}-mgr`, "manager")).token;
    const question = await askQuestion(server, asker, { question: "pick one", options: ["a", "b"] });
    const approval = await (
      await agentFetch(server, manager, "/api/agent/approvals", {
        method: "POST",
        body: JSON.stringify({ kind: "spawn", name: `${prefix}-child`, config: { image: TEST_IMAGE }, description: "child" }),
      })
    ).json();

    const asAgent = (token: string) => (path: string, body: unknown) => agentFetch(server, token, path, { method: "POST", body: JSON.stringify(body) });
    const asOperator = (path: string, body: unknown) => operatorFetch(server, path, { method: "POST", body: JSON.stringify(body) });
    const spawnBody = { name: `${prefix}-x`, image: TEST_IMAGE, network: "none" };
    const cases: [string, () => Promise<Response>][] = [
      ["question", () => asAgent(asker)("/api/agent/questions", { question: `why${NUL}${MARK}` })],
      ["options.1", () => asAgent(asker)("/api/agent/questions", { question: "ok?", options: ["yes", `no${NUL}${MARK}`] })],
      ["idempotency_key", () => asAgent(asker)("/api/agent/questions", { question: "ok?", idempotency_key: `k${NUL}` })],
      ["description", () => asAgent(manager)("/api/agent/approvals", { kind: "spawn", name: `${prefix}-y`, config: { image: TEST_IMAGE }, description: `because${NUL}${MARK}` })],
      ["config.env.TOKEN", () => asAgent(manager)("/api/agent/approvals", { kind: "spawn", name: `${prefix}-y`, config: { image: TEST_IMAGE, env: { TOKEN: `${MARK}${NUL}` } }, description: "d" })],
      ["env.TOKEN.value", () => asOperator("/api/agents", { ...spawnBody, env: { TOKEN: { value: `${MARK}${NUL}`, secret: true } } })],
      ["cmd.1", () => asOperator("/api/agents", { ...spawnBody, cmd: ["sh", `-c${NUL}${MARK}`] })],
      ["text", () => asOperator(`/api/questions/${question.id}/answer`, { text: `fine${NUL}${MARK}` })],
      ["choices.0", () => asOperator(`/api/questions/${question.id}/answer`, { choices: [`a${NUL}`] })],
      ["note", () => asOperator(`/api/approvals/${approval.id}/deny`, { note: `no${NUL}${MARK}` })],
      ["token", () => fetch(`${server.baseUrl}/api/session`, { method: "POST", headers: { "content-type": "application/json", origin: server.baseUrl }, body: JSON.stringify({ token: `hive_op_${MARK}${NUL}` }) })],
      ["after", () => agentFetch(server, asker, "/api/agent/inbox?after=1%00")],
    ];
    for (const [field, send] of cases) {
      const response = await send();
      const body = await response.json();
      expect(response.status, `${field}: ${JSON.stringify(body)}`).toBe(400);
      expect(body.error.code).toBe("invalid_request");
      expect(body.error.message, field).toContain(`${field}: must not contain the NUL character`);
    }
    // Nothing was stored: the question is still open, the approval still pending.
    const state = await (await operatorFetch(server, "/api/state")).json();
    expect(state.questions.pending.map((entry: { id: string }) => entry.id)).toContain(question.id);
    expect(state.approvals.pending.map((entry: { id: string }) => entry.id)).toContain(approval.id);
    expect(server.output()).not.toContain(MARK);
    expect(server.logs().filter((line) => line.level === "error")).toEqual([]);
  });

  it("in an agent's log lines does not stop its crash from being recorded with them", async () => {
    const name = `${prefix}-nulcrash`;
    await spawnAgent(server, name, { env: { AGENT_BOOT_LINES: "before\\0after", AGENT_EXIT_CODE: "3", AGENT_EXIT_AFTER_S: "1" } });
    const crash = await eventually(async () => {
      const { crashes } = await (await operatorFetch(server, `/api/agents/${name}/crashes`)).json();
      return crashes.find((entry: { lastLines: unknown[] }) => entry.lastLines.length > 0);
    }, "the crash with its last lines");
    expect(crash.exitCode).toBe(3);
    expect(crash.lastLines.map((line: { text: string }) => line.text)).toContain("before\uFFFDafter");
  });
});
