import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { declaredRoutes } from "../helpers/api-routes";
import { agentPrefix, cleanupAgents, engineState, eventually } from "../helpers/docker";
import { callTool, connectMcp, errorCodeOf } from "../helpers/mcp";
import { readEvents } from "../helpers/sse";
import { agentFetch, askQuestion, dashboardState, mintAgentToken, operatorFetch, type ServerProcess, spawnAgent, startServer } from "../helpers/server";

// An agent's token reaches its own questions, inbox and approvals only. Every agent route (found by walking
// app/api) has a row here in which agent A goes after what belongs to agent B (or to manager M), and B's things
// are checked unchanged afterwards; a new agent route fails this test until it has its row.
let server: ServerProcess;
const prefix = agentPrefix();
const names = { a: `${prefix}-a`, b: `${prefix}-b`, m: `${prefix}-m` };
const tokens = { a: "", b: "", m: "" };
let bQuestion: string;
let mApproval: string;

beforeAll(async () => {
  server = await startServer();
  await spawnAgent(server, names.b);
  tokens.a = (await mintAgentToken(server, names.a)).token;
  tokens.b = (await mintAgentToken(server, names.b)).token;
  tokens.m = (await mintAgentToken(server, names.m, "manager")).token;
  bQuestion = (await askQuestion(server, tokens.b, { question: "B's own question?", options: ["yes", "no"] })).id;
  const requested = await agentFetch(server, tokens.m, "/api/agent/approvals", {
    method: "POST",
    body: JSON.stringify({ kind: "spawn", name: `${prefix}-new`, config: { image: "hive-test-agent:latest", network: "none" }, description: "M's request" }),
  });
  expect(requested.status).toBe(201);
  mApproval = (await requested.json()).id;
});
afterAll(async () => {
  await server?.stop();
  await cleanupAgents(prefix);
});

const asA = (path: string, init: RequestInit = {}) => agentFetch(server, tokens.a, path, init);
const post = (body: unknown): RequestInit => ({ method: "POST", body: JSON.stringify(body) });
async function refused(response: Response, statuses: number[]) {
  const text = await response.text();
  expect(statuses, `${response.status} ${text}`).toContain(response.status);
  expect(text).not.toContain("B's own question");
}
const bQuestionView = async () => {
  const { questions } = await dashboardState(server);
  return [...questions.pending, ...questions.recent].find((question) => question.id === bQuestion) as
    | { id: string; received: boolean | null; answer: string | null }
    | undefined;
};
const mApprovalStatus = async () => ((await (await agentFetch(server, tokens.m, `/api/agent/approvals/${mApproval}`)).json()) as { status: string }).status;

/** What A tries against B (or M), per agent route. Each row checks the refusal and that nothing of B's changed. */
const attempts: Record<string, () => Promise<void>> = {
  "GET /api/agent/agents": async () => refused(await asA("/api/agent/agents"), [403]),
  "GET /api/agent/agents/[name]": async () => refused(await asA(`/api/agent/agents/${names.b}`), [403, 404]),
  "POST /api/agent/agents/[name]/start": async () => refused(await asA(`/api/agent/agents/${names.b}/start`, post({})), [403]),
  "POST /api/agent/agents/[name]/restart": async () => refused(await asA(`/api/agent/agents/${names.b}/restart`, post({})), [403]),
  "POST /api/agent/agents/[name]/kill": async () => refused(await asA(`/api/agent/agents/${names.b}/kill`, post({})), [403]),
  "POST /api/agent/approvals": async () =>
    refused(await asA("/api/agent/approvals", post({ kind: "config_change", name: names.b, config: { image: "x" }, description: "mine now" })), [403]),
  "GET /api/agent/approvals/[id]": async () => refused(await asA(`/api/agent/approvals/${mApproval}`), [404]),
  "DELETE /api/agent/approvals/[id]": async () => {
    await refused(await asA(`/api/agent/approvals/${mApproval}`, { method: "DELETE" }), [404]);
    expect(await mApprovalStatus()).toBe("pending");
  },
  "POST /api/agent/questions": async () => {
    // A question carries no owner field: one naming B is refused, and A's own questions stay A's.
    await refused(await asA("/api/agent/questions", post({ question: "as B?", agent: names.b })), [400]);
  },
  "GET /api/agent/questions/[id]": async () => refused(await asA(`/api/agent/questions/${bQuestion}`), [404]),
  "DELETE /api/agent/questions/[id]": async () => {
    await refused(await asA(`/api/agent/questions/${bQuestion}`, { method: "DELETE" }), [404]);
    expect((await bQuestionView())?.answer).toBe("yes");
  },
  "GET /api/agent/inbox": async () => {
    const inbox = (await (await asA("/api/agent/inbox?after=0")).json()) as { events: { payload: Record<string, unknown> }[] };
    expect(JSON.stringify(inbox.events)).not.toContain(bQuestion);
  },
  "GET /api/agent/events": async () => {
    const response = await asA("/api/agent/events?after=0");
    expect(response.status).toBe(200);
    const events = await readEvents(response, (events) => events.some((event) => event.data.includes("A's control")), { timeoutMs: 10_000 });
    expect(events.map((event) => event.data).join("\n")).not.toContain(bQuestion);
  },
  "POST /api/agent/inbox/ack": async () => {
    const ack = await asA("/api/agent/inbox/ack", post({ up_to: 1_000_000 }));
    expect(ack.status).toBe(200);
    expect((await bQuestionView())?.received).not.toBe(true);
  },
  "POST /api/agent/mcp": async () => {
    const client = await connectMcp(server, tokens.a);
    try {
      expect(errorCodeOf(await callTool(client, "wait_for_answer", { question_id: bQuestion, timeout_seconds: 0 }))).toBe("question_not_found");
      expect(errorCodeOf(await callTool(client, "retract_question", { question_id: bQuestion }))).toBe("question_not_found");
      expect(errorCodeOf(await callTool(client, "approval_status", { id: mApproval }))).toBe("approval_not_found");
      expect(errorCodeOf(await callTool(client, "kill_agent", { name: names.b }))).toBe("forbidden");
      const inbox = await callTool(client, "read_inbox", { after: 0 });
      expect(inbox.text).not.toContain(bQuestion);
    } finally {
      await client.close();
    }
    expect(await mApprovalStatus()).toBe("pending");
  },
};

describe("[SECURITY] an agent's token reaches its own things only", () => {
  it("has a row for every agent route", async () => {
    const agentRoutes = (await declaredRoutes()).filter((route) => route.auth === "agent").map((route) => route.key);
    expect(Object.keys(attempts).sort()).toEqual(agentRoutes.sort());
  });

  it("on every agent route, A can neither see nor change B's questions, inbox, approvals or agent", async () => {
    // B's question is answered (an inbox event for B only); A's own answered question is the positive control.
    const own = await askQuestion(server, tokens.a, { question: "A's control" });
    for (const id of [bQuestion, own.id]) {
      expect((await operatorFetch(server, `/api/questions/${id}/answer`, post({ choices: id === bQuestion ? ["yes"] : undefined, text: id === bQuestion ? undefined : "A's control" }))).status).toBe(200);
    }
    const bBefore = await engineState(names.b);
    for (const [route, attempt] of Object.entries(attempts)) {
      await attempt().catch((error: Error) => {
        throw new Error(`${route}: ${error.message}`);
      });
    }
    // B's question is still answered, and not received: only B's own ack marks it.
    expect(await bQuestionView()).toMatchObject({ answer: "yes", received: false });
    const bAfter = await engineState(names.b);
    expect({ id: bAfter?.id, startedAt: bAfter?.startedAt, status: bAfter?.status }).toEqual({ id: bBefore?.id, startedAt: bBefore?.startedAt, status: "running" });
    // And B itself still reads its answer.
    await eventually(async () => {
      const inbox = (await (await agentFetch(server, tokens.b, "/api/agent/inbox?after=0")).json()) as { events: unknown[] };
      return JSON.stringify(inbox.events).includes(bQuestion);
    }, "B's inbox holding its answer");
  });
});
