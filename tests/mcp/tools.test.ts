import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Progress } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../helpers/docker";
import { callTool, connectMcp, errorCodeOf, MCP_PATH } from "../helpers/mcp";
import { agentFetch, dashboardState, mintAgentToken, operatorFetch, type ServerProcess, startServer, TEST_OPERATOR_TOKEN } from "../helpers/server";

// The agents' MCP endpoint against the real server, through the SDK's own client. Fleet care (real containers),
// the retract/answer race (PostgreSQL) and an agent in a container have files of their own beside this one.

const TOOL_NAMES = [
  "ask_operator",
  "wait_for_answer",
  "retract_question",
  "read_inbox",
  "ack_inbox",
  "request_spawn",
  "request_config_change",
  "approval_status",
  "describe_self",
  "list_agents",
  "start_agent",
  "restart_agent",
  "kill_agent",
];

let server: ServerProcess;
let alpha: Client;
let beta: Client;
let manager: Client;
let alphaToken: string;

beforeAll(async () => {
  server = await startServer();
  alphaToken = (await mintAgentToken(server, "alpha")).token;
  const betaToken = (await mintAgentToken(server, "beta")).token;
  const managerToken = (await mintAgentToken(server, "boss", "manager")).token;
  [alpha, beta, manager] = await Promise.all([connectMcp(server, alphaToken), connectMcp(server, betaToken), connectMcp(server, managerToken)]);
});
afterAll(async () => {
  await Promise.all([alpha, beta, manager].map((client) => client?.close()));
  await server?.stop();
});

const answer = (id: string, body: Record<string, unknown>) => operatorFetch(server, `/api/questions/${id}/answer`, { method: "POST", body: JSON.stringify(body) });
const pendingQuestions = async () => (await dashboardState(server)).questions.pending.length;
const audit = async () => ((await (await operatorFetch(server, "/api/audit?limit=200")).json()) as { entries: Record<string, any>[] }).entries;
const mcpPost = (headers: Record<string, string>, body: string) =>
  fetch(`${server.baseUrl}${MCP_PATH}`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers }, body });
const toolsList = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" });

describe("the endpoint", () => {
  it("lists every tool with a description, an input schema and an output schema, and says how they fit together", async () => {
    const { tools } = await alpha.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(TOOL_NAMES);
    for (const tool of tools) {
      expect(tool.description?.length, tool.name).toBeGreaterThan(60);
      expect(tool.inputSchema.type, tool.name).toBe("object");
      expect(tool.outputSchema?.type, tool.name).toBe("object");
      expect(tool.annotations?.readOnlyHint, tool.name).toBeTypeOf("boolean");
    }
    const ask = tools.find((tool) => tool.name === "ask_operator")!;
    expect(Object.keys(ask.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(["question", "options", "multi", "ttl_seconds", "wait_seconds"]));
    expect(ask.inputSchema.required).toEqual(["question"]);
    expect(alpha.getServerVersion()?.name).toBe("hive-dashboard");
    expect(alpha.getInstructions()).toContain("wait_for_answer");
  });

  it("checks the agent token before any MCP handling: none or a wrong one is 401, an operator's is 403", async () => {
    await expect(connectMcp(server, null)).rejects.toMatchObject({ code: 401 });
    await expect(connectMcp(server, "hive_ag_not-a-real-token-at-all-000000")).rejects.toMatchObject({ code: 401 });
    await expect(connectMcp(server, TEST_OPERATOR_TOKEN)).rejects.toMatchObject({ code: 403 });
    // Not even a malformed message is looked at without a token.
    const garbage = await mcpPost({}, "{ not json");
    expect(garbage.status).toBe(401);
    expect((await garbage.json()).error.code).toBe("unauthorized");
    const operator = await mcpPost({ authorization: `Bearer ${TEST_OPERATOR_TOKEN}` }, toolsList);
    expect(operator.status).toBe(403);
    expect((await operator.json()).error).toEqual({ code: "forbidden", message: "this route is for agents; use an agent token" });
    // A browser's cookie is an operator's, never an agent's.
    const login = await fetch(`${server.baseUrl}/api/session`, { method: "POST", headers: { "content-type": "application/json", origin: server.baseUrl }, body: JSON.stringify({ token: TEST_OPERATOR_TOKEN }) });
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    expect((await mcpPost({ cookie, origin: server.baseUrl }, toolsList)).status).toBe(403);
  });

  it("answers malformed requests with our error shape, and GET (no server-initiated stream here) with 405", async () => {
    const auth = { authorization: `Bearer ${alphaToken}` };
    const cases: [Record<string, string>, string, number, string][] = [
      [auth, "{ not json", 400, "malformed_json"],
      [auth, JSON.stringify({ hello: "world" }), 400, "invalid_request"],
      [auth, JSON.stringify([JSON.parse(toolsList)]), 400, "invalid_request"],
      [{ ...auth, accept: "text/plain" }, toolsList, 406, "not_acceptable"],
      [{ ...auth, "content-type": "text/plain" }, toolsList, 415, "unsupported_media_type"],
      [{ ...auth, "mcp-protocol-version": "1999-01-01" }, toolsList, 400, "invalid_request"],
      [auth, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "ask_operator", arguments: { question: "a\u0000b" } } }), 400, "invalid_request"],
    ];
    for (const [headers, body, status, code] of cases) {
      const response = await mcpPost(headers, body);
      expect(response.status, `${JSON.stringify(headers)} ${body}`).toBe(status);
      expect((await response.json()).error.code).toBe(code);
    }
    const get = await agentFetch(server, alphaToken, MCP_PATH, { headers: { accept: "text/event-stream" } });
    expect(get.status).toBe(405);
    // A client that takes only JSON gets JSON.
    const json = await mcpPost({ ...auth, accept: "application/json" }, toolsList);
    expect(json.headers.get("content-type")).toContain("application/json");
    expect((await json.json()).result.tools).toHaveLength(TOOL_NAMES.length);
  });
});

describe("asking the operator", () => {
  it("ask_operator waits for the answer, telling a client that asked for progress every ~10 s", async () => {
    const progress: Progress[] = [];
    const asking = alpha.callTool(
      { name: "ask_operator", arguments: { question: "Deploy to which region?", options: ["eu", "us", "ap"], multi: true, ttl_seconds: 600 } },
      undefined,
      { timeout: 70_000, onprogress: (update) => progress.push(update) },
    );
    await eventually(async () => progress.length >= 1, "the first progress notification", 30_000);
    const [card] = (await dashboardState(server)).questions.pending.filter((question) => question.agent === "alpha");
    // The ask is audited when it happens, while the call still waits for the answer.
    expect(await audit()).toEqual(expect.arrayContaining([expect.objectContaining({ actor: "agent:alpha", action: "question.ask", detail: expect.objectContaining({ via: "mcp", questionId: card!.id }) })]));
    expect((await answer(card!.id, { choices: ["eu", "ap"], text: "eu first" })).status).toBe(200);
    const result = await asking;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ question_id: card!.id, status: "answered", answer: "eu, ap, eu first", answered_by: "operator" });
    expect((result.content as { text: string }[])[0]!.text).toBe("The operator answered: eu, ap, eu first");
    expect(JSON.parse((result.content as { text: string }[])[1]!.text)).toEqual(result.structuredContent);
    expect(progress[0]).toMatchObject({ total: 50, message: expect.stringContaining("waiting for the operator") });
    expect(progress[0]!.progress).toBeGreaterThanOrEqual(9);
    // The streamed answer let go of its credential watch when it ended.
    await eventually(async () => (await (await operatorFetch(server, "/api/diagnostics")).json()).streams.watchedCredentials === 0, "no watched stream left");
  });

  it("answers pending with the question id when the wait runs out, and wait_for_answer then gets the answer", async () => {
    const asked = await callTool(alpha, "ask_operator", { question: "Rotate the keys now?", wait_seconds: 1 });
    expect(asked.result.isError).toBeFalsy();
    expect(asked.structured).toMatchObject({ status: "pending", answer: null, question_id: expect.stringMatching(/^q_/) });
    expect(asked.text).toContain(`wait_for_answer with question_id "${asked.structured.question_id}"`);
    const id = asked.structured.question_id as string;
    const waiting = callTool(alpha, "wait_for_answer", { question_id: id });
    await eventually(async () => (await dashboardState(server)).questions.pending.some((question) => question.id === id), "the card");
    expect((await answer(id, { text: "yes, now" })).status).toBe(200);
    expect((await waiting).structured).toMatchObject({ question_id: id, status: "answered", answer: "yes, now" });
    // Resolved: the wait returns at once, and a retraction is refused with the answer.
    expect((await callTool(alpha, "wait_for_answer", { question_id: id, timeout_seconds: 50 })).structured.status).toBe("answered");
    const late = await callTool(alpha, "retract_question", { question_id: id });
    expect(late.result.isError).toBe(true);
    expect(errorCodeOf(late)).toBe("question_resolved");
    expect(late.text).toContain("yes, now");
  });

  it("keeps an agent to its own questions: another agent's id is not found, for waiting and retracting alike", async () => {
    const asked = await callTool(alpha, "ask_operator", { question: "Mine only?", wait_seconds: 0 });
    const id = asked.structured.question_id as string;
    for (const [tool, args] of [["wait_for_answer", { question_id: id, timeout_seconds: 0 }], ["retract_question", { question_id: id }]] as const) {
      const refused = await callTool(beta, tool, args);
      expect(errorCodeOf(refused), tool).toBe("question_not_found");
    }
    const retracted = await callTool(alpha, "retract_question", { question_id: id });
    expect(retracted.structured).toMatchObject({ status: "retracted", answer: "[retracted]" });
  });

  it("refuses bad arguments with invalid_request naming the field, and stores nothing", async () => {
    const before = await pendingQuestions();
    const cases: [Record<string, unknown>, string][] = [
      [{ question: "" }, "question"],
      [{ question: "ttl?", ttl_seconds: 9 }, "ttl_seconds"],
      [{ question: "dup?", options: ["a", "a"] }, "options"],
      [{ question: "multi?", multi: true }, "multi"],
      [{ question: "extra?", priority: "high" }, "(root)"],
      [{ question: "long wait?", wait_seconds: 51 }, "wait_seconds"],
      [{}, "question"],
    ];
    for (const [args, field] of cases) {
      const refused = await callTool(alpha, "ask_operator", args);
      expect(errorCodeOf(refused), JSON.stringify(args)).toBe("invalid_request");
      expect(refused.text, JSON.stringify(args)).toMatch(/^invalid_request: invalid arguments of ask_operator: /);
      const issues = (refused.result._meta?.["hive/error"] as { issues: { path: string }[] }).issues;
      expect(issues.map((issue) => issue.path), JSON.stringify(args)).toContain(field);
    }
    expect(errorCodeOf(await callTool(alpha, "wait_for_answer", { question_id: "not-an-id" }))).toBe("invalid_request");
    expect(errorCodeOf(await callTool(alpha, "wait_for_answer", { question_id: "q_doesnotexist", timeout_seconds: 51 }))).toBe("invalid_request");
    expect(await pendingQuestions()).toBe(before);
    await expect(alpha.callTool({ name: "no_such_tool", arguments: {} })).rejects.toThrow(/no tool named no_such_tool/);
  });
});

describe("the inbox", () => {
  it("read_inbox waits for the first new event, and ack_inbox is the receipt operators see", async () => {
    const first = await callTool(beta, "read_inbox");
    const after = first.structured.next as number;
    const asked = await callTool(beta, "ask_operator", { question: "Inbox me?", wait_seconds: 0 });
    const id = asked.structured.question_id as string;
    const reading = callTool(beta, "read_inbox", { after, wait_seconds: 30 });
    expect((await answer(id, { text: "delivered" })).status).toBe(200);
    const read = await reading;
    const events = read.structured.events as { id: number; kind: string; payload: Record<string, unknown> }[];
    expect(events).toEqual([expect.objectContaining({ kind: "operator_answered", payload: expect.objectContaining({ id, answer: "delivered", status: "answered" }) })]);
    expect(read.structured.next).toBe(events[0]!.id);
    expect(read.text).toContain(`ack_inbox up_to: ${events[0]!.id}`);
    const acked = await callTool(beta, "ack_inbox", { up_to: events[0]!.id });
    expect(acked.structured).toEqual({ acknowledged: 1, up_to: events[0]!.id });
    const recent = (await dashboardState(server)).questions.recent.find((question) => question.id === id);
    expect(recent?.received).toBe(true);
    expect((await callTool(beta, "read_inbox", { after: events[0]!.id })).structured.events).toEqual([]);
    expect(errorCodeOf(await callTool(beta, "read_inbox", { wait_seconds: 51 }))).toBe("invalid_request");
    expect(errorCodeOf(await callTool(beta, "ack_inbox", { up_to: -1 }))).toBe("invalid_request");
  });
});

describe("approvals", () => {
  const spawn = { name: "helper-one", config: { image: "hive-test-agent:latest", env: { MODE: "fast" } }, description: "a second pair of hands" };

  it("lets only managers request spawns and config changes, and shows the requester its request's status", async () => {
    const refused = await callTool(alpha, "request_spawn", spawn);
    expect(errorCodeOf(refused)).toBe("forbidden");
    expect(refused.text).toBe("forbidden: only manager agents may request spawns and config changes");
    expect(errorCodeOf(await callTool(alpha, "request_config_change", { name: "alpha", config: { image: "x" }, description: "more" }))).toBe("forbidden");

    const requested = await callTool(manager, "request_spawn", spawn);
    expect(requested.result.isError).toBeFalsy();
    expect(requested.structured).toMatchObject({ kind: "spawn", agent: "helper-one", status: "pending", requestedBy: "boss", description: "a second pair of hands" });
    const id = requested.structured.id as string;
    expect(requested.text).toContain("awaits the operator's decision");
    const pending = (await (await operatorFetch(server, "/api/state")).json()).approvals.pending as { id: string; summary: string[] }[];
    expect(pending.find((approval) => approval.id === id)?.summary).toEqual(expect.arrayContaining(['image: "hive-test-agent:latest"', 'env.MODE: "fast"']));

    expect((await operatorFetch(server, `/api/approvals/${id}/deny`, { method: "POST", body: JSON.stringify({ note: "not today" }) })).status).toBe(200);
    const status = await callTool(manager, "approval_status", { id });
    expect(status.structured).toMatchObject({ id, status: "denied", note: "not today" });
    expect(status.text).toContain("denied");
    // Someone else's request answers like a missing one.
    expect(errorCodeOf(await callTool(alpha, "approval_status", { id }))).toBe("approval_not_found");
    expect(errorCodeOf(await callTool(manager, "request_spawn", { ...spawn, config: { image: "bad image!" } }))).toBe("invalid_request");
    expect(errorCodeOf(await callTool(manager, "request_spawn", { ...spawn, config: { image: "x", env: { HIVE_AGENT_TOKEN: "mine" } } }))).toBe("invalid_request");
  });
});

describe("describe_self", () => {
  it("tells an agent its name and role, and the engine's and desired state as the dashboard sees them", async () => {
    const self = await callTool(manager, "describe_self");
    expect(self.structured).toMatchObject({ agent: "boss", role: "manager", desiredState: null, container: null });
    expect(["up", "down", "unknown"]).toContain(self.structured.runtime);
    expect(self.text).toContain("boss (manager)");
    expect(errorCodeOf(await callTool(manager, "describe_self", { name: "alpha" }))).toBe("invalid_request");
  });
});

describe("manager-only fleet care", () => {
  it("refuses agents that are not managers, and managers acting on themselves, before touching anything", async () => {
    for (const tool of ["list_agents", "start_agent", "restart_agent", "kill_agent"]) {
      const refused = await callTool(alpha, tool, tool === "list_agents" ? {} : { name: "beta" });
      expect(errorCodeOf(refused), tool).toBe("forbidden");
      expect(refused.text, tool).toContain("only manager agents may");
    }
    for (const tool of ["start_agent", "restart_agent", "kill_agent"]) {
      const refused = await callTool(manager, tool, { name: "boss" });
      expect(errorCodeOf(refused), tool).toBe("forbidden");
      expect(refused.text, tool).toContain("a manager may not");
    }
    expect(errorCodeOf(await callTool(manager, "kill_agent", { name: "Not A Name" }))).toBe("invalid_request");
    // The REST agent API answers the same.
    const rest = await agentFetch(server, alphaToken, "/api/agent/agents/beta/kill", { method: "POST" });
    expect(rest.status).toBe(403);
    expect((await rest.json()).error.message).toContain("only manager agents may kill agents");
    expect((await agentFetch(server, alphaToken, "/api/agent/agents")).status).toBe(403);
  });
});

describe("the audit", () => {
  it("names the agent as the actor of every tool call that changes something, with the REST route's action", async () => {
    const asked = await callTool(alpha, "ask_operator", { question: "Audited?", wait_seconds: 0 });
    await callTool(alpha, "retract_question", { question_id: asked.structured.question_id });
    await callTool(manager, "kill_agent", { name: "boss" });
    const rows = await audit();
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actorKind: "agent", actor: "agent:alpha", action: "question.ask", target: "alpha", result: "ok", detail: expect.objectContaining({ via: "mcp", tool: "ask_operator", questionId: asked.structured.question_id }) }),
        expect.objectContaining({ actorKind: "agent", actor: "agent:alpha", action: "question.retract", result: "ok", detail: expect.objectContaining({ via: "mcp" }) }),
        expect.objectContaining({ actorKind: "agent", actor: "agent:boss", action: "agent.kill", target: "boss", result: "error", status: 403, errorCode: "forbidden" }),
      ]),
    );
    // Reads leave no row; nor does the MCP request itself.
    expect(rows.filter((row) => String(row.action).includes("mcp") || row.detail?.tool === "read_inbox")).toEqual([]);
  });
});
