import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { eventually } from "../helpers/docker";
import { callTool, connectMcp, errorCodeOf } from "../helpers/mcp";
import { createMigratedDatabase } from "../helpers/postgres";
import { agentFetch, mintAgentToken, operatorFetch, type ServerProcess, startServer } from "../helpers/server";

// First writer wins between an agent's retraction over MCP and an operator's answer, made real: the test holds the
// question's row (a PostgreSQL row lock) while both queue at it, in a known order, then lets them go.

let server: ServerProcess;
let agent: Client;
let token: string;
let holder: pg.Client;
let observer: pg.Client;

beforeAll(async () => {
  const url = await createMigratedDatabase(inject("postgresAdminUrl"));
  server = await startServer({ DATABASE_URL: url });
  token = (await mintAgentToken(server, "retractor")).token;
  agent = await connectMcp(server, token);
  holder = new pg.Client({ connectionString: url });
  observer = new pg.Client({ connectionString: url });
  await Promise.all([holder.connect(), observer.connect()]);
});
afterAll(async () => {
  await agent?.close();
  await Promise.all([holder?.end(), observer?.end()]);
  await server?.stop();
});

/** The conditional updates (answer or retraction) waiting for the question's row right now. */
async function waitingAtTheRow(): Promise<number> {
  const { rows } = await observer.query(
    "select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like 'update \"questions\"%' and query like '%\"questions\".\"id\" = %'",
  );
  return rows.length;
}

async function race(first: "retract" | "answer") {
  const asked = await callTool(agent, "ask_operator", { question: `Who wins, ${first} first?`, wait_seconds: 0 });
  const id = asked.structured.question_id as string;
  await holder.query("begin");
  await holder.query("select id from questions where id = $1 for update", [id]);
  const retract = () => callTool(agent, "retract_question", { question_id: id });
  const answer = () => operatorFetch(server, `/api/questions/${id}/answer`, { method: "POST", body: JSON.stringify({ text: "go ahead" }) });
  const firstCall = first === "retract" ? retract() : answer();
  await eventually(async () => (await waitingAtTheRow()) === 1, `the ${first} at the row`);
  const secondCall = first === "retract" ? answer() : retract();
  await eventually(async () => (await waitingAtTheRow()) === 2, "both at the row");
  await holder.query("commit");
  const [retracted, answered] = (first === "retract" ? [await firstCall, await secondCall] : [await secondCall, await firstCall]) as [
    Awaited<ReturnType<typeof retract>>,
    Response,
  ];
  const inbox = await (await agentFetch(server, token, "/api/agent/inbox")).json();
  const events = inbox.events.filter((event: { kind: string; payload: { id: string } }) => event.kind === "operator_answered" && event.payload.id === id);
  return { id, retracted, answered: { status: answered.status, body: await answered.json() }, events };
}

describe("an MCP retraction racing an operator's answer", () => {
  it("lets the retraction that queued first win: the answer gets 409 with [retracted], the inbox holds one event", async () => {
    const { retracted, answered, events } = await race("retract");
    expect(retracted.structured).toMatchObject({ status: "retracted", answer: "[retracted]" });
    expect(answered).toMatchObject({ status: 409, body: { error: { code: "question_resolved", status: "retracted", answer: "[retracted]" } } });
    expect(events.map((event: { payload: { answer: string } }) => event.payload.answer)).toEqual(["[retracted]"]);
  });

  it("lets the answer that queued first win: the retraction is a question_resolved tool error naming it, one event", async () => {
    const { retracted, answered, events } = await race("answer");
    expect(answered).toMatchObject({ status: 200, body: { question: { status: "answered", answer: "go ahead" } } });
    expect(retracted.result.isError).toBe(true);
    expect(errorCodeOf(retracted)).toBe("question_resolved");
    expect(retracted.result._meta?.["hive/error"]).toMatchObject({ status: "answered", answer: "go ahead", answeredBy: "operator" });
    expect(events.map((event: { payload: { answer: string } }) => event.payload.answer)).toEqual(["go ahead"]);
  });
});
