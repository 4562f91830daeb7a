import "server-only";
import { z } from "zod";
import { AckOutcome, AgentActionOutcome, AgentList, InboxPage } from "../contracts/agent-tools";
import { AgentTokenIdParams, AgentTokensQuery, AgentTokenView, AgentViewList, MintAgentTokenInput, MintedAgentToken } from "../contracts/agents";
import {
  ApprovalDecision,
  ApprovalIdParams,
  ApprovalView,
  DenyApprovalInput,
  PurgedTombstone,
  RequestApprovalInput,
  RevivedTombstone,
} from "../contracts/approvals";
import {
  AgentNameParams,
  ClearedAction,
  CrashesQuery,
  CrashList,
  DestroyAgentQuery,
  DestroyedAgent,
  MoveAgentInput,
  MovedAgentView,
  ForeignAgentList,
  OwnAgentView,
  SpawnAgentInput,
  StopAgentInput,
} from "../contracts/containers";
import { AgentStatsList, AgentStatsQuery } from "../contracts/agent-stats";
import { HealthReport, Liveness } from "../contracts/health";
import { AgentLogsQuery, AgentLogStreamQuery, AgentLogsView, DiagnosticsView } from "../contracts/journal";
import {
  AckInput,
  AgentEventsQuery,
  AgentQuestionView,
  AnswerQuestionInput,
  AskedQuestion,
  AskQuestionInput,
  InboxQuery,
  QuestionAnswer,
  QuestionIdParams,
  WaitQuery,
} from "../contracts/questions";
import { LoggedOut, LoginAnswer, LoginInput, SessionView } from "../contracts/session";
import { AuditList, AuditQuery, DashboardState } from "../contracts/state";
import { CreatedWebhook, CreateWebhookInput, DeletedWebhook, DeliveriesQuery, DeliveryList, QueuedTestDelivery, WebhookIdParams, WebhookList } from "../contracts/webhooks";
import { AgentUptime, AgentUptimeHistory, FleetUptime, FleetUptimeQuery, UptimeHistoryQuery, UptimeQuery } from "../contracts/uptime";
import type { ErrorCode } from "../errors";

export type Auth = "public" | "operator" | "agent";

/** One success answer of an operation: its schema (JSON), or another content type that has none. */
export type Answer = {
  description: string;
  schema?: z.ZodType;
  contentType?: "application/json" | "text/event-stream" | "application/gzip";
  example?: unknown;
};

/** One route handler as the OpenAPI document describes it, built from the same zod contracts the route parses with. */
export type Operation = {
  method: "get" | "post" | "delete";
  /** OpenAPI form: /api/agents/{name}/restart */
  path: string;
  auth: Auth;
  summary: string;
  description?: string;
  tag: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  answers: Record<number, Answer>;
  /** Error codes of its own, beyond those its auth, inputs and engine use bring. */
  errors?: ErrorCode[];
  /** Calls the container engine (503 runtime_not_ready while it is down, 502 runtime_error). */
  engine?: boolean;
  examples?: { params?: Record<string, string>; query?: Record<string, string>; body?: unknown };
};

const QUESTION_ID = "q_3fK9xY2mQa7Lw1Zp";
const APPROVAL_ID = "apr_Vb81nQw7dRt2Kx0e";
const AGENT = "builder-1";
const NOW = "2026-12-01T12:00:00.000Z";

const agentAnswer = (verb: string): Answer => ({
  description: `The agent as the page shows it after the ${verb} (null if the engine no longer reports it)`,
  schema: AgentActionOutcome,
});

const lifecycle = (verb: string, summary: string, auth: Auth, withTimeout: boolean): Operation => ({
  method: "post",
  path: auth === "agent" ? `/api/agent/agents/{name}/${verb}` : `/api/agents/{name}/${verb}`,
  auth,
  tag: auth === "agent" ? "Agents' own API" : "Containers",
  summary,
  description:
    (auth === "agent"
      ? "Managers only, never on themselves: the same in-flight slot and pill as an operator's action, naming the manager. "
      : "") + "A second action on the agent while one is in flight is refused with 409 action_in_flight, naming who holds it.",
  params: AgentNameParams,
  ...(withTimeout ? { body: StopAgentInput, examples: { params: { name: AGENT }, body: { timeoutSeconds: 10 } } } : { examples: { params: { name: AGENT } } }),
  answers: { 200: agentAnswer(verb) },
  // Rebuild waits on the image and the recreate as long as they take; the other verbs answer 504 past the action timeout.
  errors: ["agent_not_found", "action_in_flight", ...(verb === "rebuild" ? [] : (["engine_timeout"] as const)), ...(auth === "agent" ? (["forbidden"] as const) : [])],
  engine: true,
});

const stream = (description: string): Answer => ({ description, contentType: "text/event-stream" });

export const OPERATIONS: Operation[] = [
  // Probes and the description itself
  { method: "get", path: "/dashboard-healthz", auth: "public", tag: "Probes", summary: "Readiness: the database and the engine", answers: { 200: { description: "Healthy", schema: HealthReport }, 503: { description: "The database is unreachable", schema: HealthReport } } },
  { method: "get", path: "/dashboard-livez", auth: "public", tag: "Probes", summary: "Liveness: this process answers (touches neither the database nor the engine)", answers: { 200: { description: "Alive", schema: Liveness, example: { status: "alive", uptimeSeconds: 42 } } } },
  { method: "get", path: "/api/openapi.json", auth: "public", tag: "Probes", summary: "This document", answers: { 200: { description: "The OpenAPI 3.1 document", schema: z.record(z.string(), z.unknown()) } } },

  // Session
  {
    method: "post", path: "/api/session", auth: "public", tag: "Session", summary: "Log in: exchange the operator token for a session cookie",
    description: "Sets the `hive_session` cookie (HttpOnly, SameSite=Strict; Secure when the public URL is https). Wrong tokens count against the client address (429 rate_limited with Retry-After).",
    body: LoginInput, examples: { body: { token: "hive_op_0123456789abcdef" } },
    answers: { 200: { description: "Logged in; the cookie is in Set-Cookie", schema: LoginAnswer, example: { operator: "operator", expiresAt: NOW } } },
    errors: ["unauthorized", "rate_limited"],
  },
  { method: "get", path: "/api/session", auth: "operator", tag: "Session", summary: "Who is logged in", answers: { 200: { description: "The operator", schema: SessionView, example: { operator: "operator", via: "session", authMode: "token" } } } },
  { method: "delete", path: "/api/session", auth: "operator", tag: "Session", summary: "Log out: the session is revoked and the cookie cleared", answers: { 200: { description: "Logged out", schema: LoggedOut, example: { ok: true } } } },

  // The page
  { method: "get", path: "/api/state", auth: "operator", tag: "Dashboard", summary: "Everything the page shows, in one answer", description: "Sends an ETag; with If-None-Match the answer is 304 when nothing changed.", answers: { 200: { description: "The dashboard's state", schema: DashboardState }, 304: { description: "Not modified since the client's ETag" } } },
  { method: "get", path: "/api/stream", auth: "operator", tag: "Dashboard", summary: "Change notices as server-sent events", answers: { 200: stream("Events naming what changed; the page refetches /api/state") } },
  { method: "get", path: "/api/audit", auth: "operator", tag: "Dashboard", summary: "The newest audit rows", query: AuditQuery, examples: { query: { limit: "50" } }, answers: { 200: { description: "Audit rows, newest first", schema: AuditList } } },
  { method: "get", path: "/api/diagnostics", auth: "operator", tag: "Dashboard", summary: "What this process holds open (engine log streams, credential-bound streams)", answers: { 200: { description: "Counts", schema: DiagnosticsView } } },
  { method: "post", path: "/api/backup", auth: "operator", tag: "Dashboard", summary: "The embedded database's backup as a download (npm run backup calls it)", answers: { 200: { description: "A gzipped tar of the data directory", contentType: "application/gzip" } }, errors: ["conflict"] },

  // Containers
  { method: "get", path: "/api/agents", auth: "operator", tag: "Containers", summary: "The agent containers the engine reports", answers: { 200: { description: "The agents", schema: AgentViewList } }, engine: true },
  {
    method: "post", path: "/api/agents", auth: "operator", tag: "Containers", summary: "Spawn an agent",
    description: "Creates and starts the container with a fresh agent token in its env (HIVE_API_URL, HIVE_MCP_URL, HIVE_AGENT_TOKEN).",
    body: SpawnAgentInput, examples: { body: { name: AGENT, image: "hive-agent:latest", env: { MODE: "fast", API_KEY: { value: "s3cret", secret: true } }, memoryMb: 512, network: "none" } },
    answers: { 201: { description: "The spawned agent", schema: z.object({ agent: AgentActionOutcome.shape.agent }) } },
    errors: ["conflict", "image_not_found", "action_in_flight"], engine: true,
  },
  { method: "delete", path: "/api/agents/{name}", auth: "operator", tag: "Containers", summary: "Destroy an agent (its state volume is kept as a tombstone unless purge=true)", params: AgentNameParams, query: DestroyAgentQuery, examples: { params: { name: AGENT }, query: { purge: "false" } }, answers: { 200: { description: "Destroyed", schema: DestroyedAgent, example: { name: AGENT, destroyed: true, purged: false } } }, errors: ["agent_not_found", "action_in_flight"], engine: true },
  lifecycle("start", "Start an agent (desired state: running)", "operator", false),
  lifecycle("stop", "Stop an agent gracefully (desired state: stopped)", "operator", true),
  lifecycle("restart", "Restart an agent (desired state: running)", "operator", true),
  lifecycle("rebuild", "Recreate an agent's container from its stored config (the state volume is kept)", "operator", false),
  lifecycle("kill", "Kill an agent at once (SIGKILL; desired state: stopped)", "operator", false),
  {
    method: "post", path: "/api/agents/{name}/move", auth: "operator", tag: "Containers", summary: "Move an agent and its state volume to another node of the cluster",
    description: "The agent is stopped, its state volume's files are copied to a new volume on that node and removed from the old one, it is pinned there, and it runs again if it ran (its desired state is unchanged). A runtime with one node (a single Docker engine) refuses with 409.",
    params: AgentNameParams, body: MoveAgentInput, examples: { params: { name: AGENT }, body: { node: "node-2" } },
    answers: { 200: { description: "The agent on its new node, and how much state went along", schema: MovedAgentView, example: { agent: null, from: "node-1", to: "node-2", bytes: 10240 } } },
    errors: ["agent_not_found", "action_in_flight", "conflict"], engine: true,
  },
  { method: "delete", path: "/api/agents/{name}/transient", auth: "operator", tag: "Containers", summary: "Clear a stuck in-flight pill (only past its deadline)", params: AgentNameParams, examples: { params: { name: AGENT } }, answers: { 200: { description: "Cleared", schema: ClearedAction, example: { cleared: true } } }, errors: ["not_found", "conflict"] },
  { method: "get", path: "/api/foreign-agents", auth: "operator", tag: "Containers", summary: "Agents on the engine that another installation manages (read-only here)", description: "Each installation (one database's dashboards) manages only what carries its label; agents of another, or of none (made before installation identities), are listed here and can only be adopted.", answers: { 200: { description: "This installation and the others' agents", schema: ForeignAgentList, example: { installation: "inst-3f9c0a1b2c4d", agents: [{ name: AGENT, containerName: `hive-${AGENT}`, installation: "inst-0b7e55d2a9c1", state: "running", image: "hive-test-agent:latest", createdAt: NOW }] } } }, engine: true },
  { method: "post", path: "/api/foreign-agents/{name}/adopt", auth: "operator", tag: "Containers", summary: "Adopt another installation's agent (e.g. after restoring onto a new database)", description: "Recreates it with this installation's label and fresh credentials, keeping its state volume; it stays running or stopped as it was. The other installation no longer sees it.", params: AgentNameParams, examples: { params: { name: AGENT } }, answers: { 200: agentAnswer("adoption") }, errors: ["agent_not_found", "action_in_flight", "conflict"], engine: true },
  { method: "get", path: "/api/agents/{name}/crashes", auth: "operator", tag: "Containers", summary: "Crash history with each crash's last log lines", params: AgentNameParams, query: CrashesQuery, examples: { params: { name: AGENT }, query: { limit: "20" } }, answers: { 200: { description: "Crashes, newest first", schema: CrashList } } },
  { method: "get", path: "/api/agents/{name}/uptime", auth: "operator", tag: "Uptime", summary: "An agent's uptime over a rolling window", description: "Up over known time: time an operator had the agent stopped (or an action was in flight) counts as stopped, never downtime; time the engine or the dashboard was away is unknown and left out.", params: AgentNameParams, query: UptimeQuery, examples: { params: { name: AGENT }, query: { window: "24h" } }, answers: { 200: { description: "The window's figures", schema: AgentUptime, example: { agent: AGENT, window: "24h", from: "2026-11-30T13:00:00.000Z", to: "2026-12-01T13:00:00.000Z", secondsUp: 82_800, secondsKnown: 84_600, secondsStopped: 1_800, uptimePercent: 97.87 } } }, errors: ["agent_not_found"] },
  { method: "get", path: "/api/agents/{name}/uptime/history", auth: "operator", tag: "Uptime", summary: "An agent's uptime period by period (hourly or daily)", params: AgentNameParams, query: UptimeHistoryQuery, examples: { params: { name: AGENT }, query: { window: "30d", granularity: "daily" } }, answers: { 200: { description: "Periods, oldest first", schema: AgentUptimeHistory } }, errors: ["agent_not_found"] },
  { method: "get", path: "/api/uptime", auth: "operator", tag: "Uptime", summary: "Every agent's uptime over a window (from the hourly buckets)", query: FleetUptimeQuery, examples: { query: { window: "24h" } }, answers: { 200: { description: "Figures by agent name", schema: FleetUptime, example: { window: "24h", agents: { [AGENT]: { secondsUp: 3_600, secondsKnown: 3_600, secondsStopped: 0, uptimePercent: 100 } } } } } },
  { method: "get", path: "/api/webhooks", auth: "operator", tag: "Webhooks", summary: "Outgoing webhooks, each with its last deliveries (secrets only as hints)", answers: { 200: { description: "The webhooks", schema: WebhookList } } },
  { method: "post", path: "/api/webhooks", auth: "operator", tag: "Webhooks", summary: "Add a webhook (its signing secret is in this answer only)", description: "Deliveries are JSON bodies of the versioned schema hive.webhook/v1, signed with HMAC-SHA256 (X-Hive-Signature over `<X-Hive-Timestamp>.<body>`), queued in the database and retried with a doubling delay: docs/webhooks.md.", body: CreateWebhookInput, examples: { body: { url: "https://hooks.example.com/hive", events: ["agent.crashed", "engine.down", "engine.up"], description: "on-call" } }, answers: { 201: { description: "The webhook and its secret", schema: CreatedWebhook } } },
  { method: "delete", path: "/api/webhooks/{id}", auth: "operator", tag: "Webhooks", summary: "Delete a webhook, its queue and its delivery log", params: WebhookIdParams, examples: { params: { id: "wh_3fK9xY2mQa7Lw1Zp" } }, answers: { 200: { description: "Deleted", schema: DeletedWebhook, example: { id: "wh_3fK9xY2mQa7Lw1Zp", deleted: true } } }, errors: ["not_found"] },
  { method: "post", path: "/api/webhooks/{id}/test", auth: "operator", tag: "Webhooks", summary: "Queue a webhook.test delivery to this webhook", params: WebhookIdParams, examples: { params: { id: "wh_3fK9xY2mQa7Lw1Zp" } }, answers: { 202: { description: "The queued delivery", schema: QueuedTestDelivery } }, errors: ["not_found"] },
  { method: "get", path: "/api/webhooks/{id}/deliveries", auth: "operator", tag: "Webhooks", summary: "A webhook's delivery log, newest first", params: WebhookIdParams, query: DeliveriesQuery, examples: { params: { id: "wh_3fK9xY2mQa7Lw1Zp" }, query: { limit: "20" } }, answers: { 200: { description: "Deliveries", schema: DeliveryList } }, errors: ["not_found"] },
  { method: "get", path: "/api/agents/{name}/logs", auth: "operator", tag: "Journal", summary: "The last lines of an agent's log", params: AgentNameParams, query: AgentLogsQuery, examples: { params: { name: AGENT }, query: { lines: "200", source: "all", timestamps: "true" } }, answers: { 200: { description: "Lines and the cursor to follow on from", schema: AgentLogsView } }, errors: ["agent_not_found"], engine: true },
  { method: "get", path: "/api/agents/{name}/logs/stream", auth: "operator", tag: "Journal", summary: "New log lines as server-sent events, from a cursor", params: AgentNameParams, query: AgentLogStreamQuery, examples: { params: { name: AGENT }, query: { source: "agent", cursor: "1764590400000000000.3" } }, answers: { 200: stream("`lines` events (each with its cursor), then `end` when the container stops") }, errors: ["agent_not_found", "too_many_streams"], engine: true },

  // Agent tokens
  { method: "get", path: "/api/agent-stats", auth: "operator", tag: "Containers", summary: "CPU, memory and network of the named running agents (one-shot engine stats, shared for 2 s)", query: AgentStatsQuery, examples: { query: { names: `${AGENT},reviewer-2` } }, answers: { 200: { description: "One reading per agent, in the order named", schema: AgentStatsList } } },
  { method: "get", path: "/api/agent-tokens", auth: "operator", tag: "Agent tokens", summary: "Agent tokens, without their secrets", query: AgentTokensQuery, examples: { query: { agent: AGENT } }, answers: { 200: { description: "Tokens", schema: z.object({ tokens: z.array(AgentTokenView) }) } } },
  { method: "post", path: "/api/agent-tokens", auth: "operator", tag: "Agent tokens", summary: "Mint an agent token (the secret is in this answer only)", body: MintAgentTokenInput, examples: { body: { agent: AGENT, role: "manager" } }, answers: { 201: { description: "The token", schema: MintedAgentToken } } },
  { method: "delete", path: "/api/agent-tokens/{id}", auth: "operator", tag: "Agent tokens", summary: "Revoke a token (its open streams end)", params: AgentTokenIdParams, examples: { params: { id: "tok_8fJ2kLm0" } }, answers: { 200: { description: "The revoked token", schema: AgentTokenView } }, errors: ["not_found"] },

  // Questions and approvals, the operators' side
  { method: "post", path: "/api/questions/{id}/answer", auth: "operator", tag: "Questions", summary: "Answer an agent's question (first writer wins)", params: QuestionIdParams, body: AnswerQuestionInput, examples: { params: { id: QUESTION_ID }, body: { choices: ["staging"], text: "after 18:00 UTC" } }, answers: { 200: { description: "The answered question", schema: QuestionAnswer } }, errors: ["question_not_found", "question_resolved"] },
  { method: "post", path: "/api/questions/{id}/cancel", auth: "operator", tag: "Questions", summary: "Cancel a question (the agent receives [cancelled])", params: QuestionIdParams, examples: { params: { id: QUESTION_ID } }, answers: { 200: { description: "The cancelled question", schema: QuestionAnswer } }, errors: ["question_not_found", "question_resolved"] },
  { method: "post", path: "/api/approvals/{id}/approve", auth: "operator", tag: "Approvals", summary: "Approve a request: executes it once (spawn, or store the config and rebuild)", params: ApprovalIdParams, examples: { params: { id: APPROVAL_ID } }, answers: { 200: { description: "The decided request, and the agent it made", schema: ApprovalDecision } }, errors: ["approval_not_found", "approval_resolved", "action_in_flight", "conflict", "tombstone_exists"], engine: true },
  { method: "post", path: "/api/approvals/{id}/deny", auth: "operator", tag: "Approvals", summary: "Deny a request, with a note for the requester", params: ApprovalIdParams, body: DenyApprovalInput, examples: { params: { id: APPROVAL_ID }, body: { note: "not today" } }, answers: { 200: { description: "The denied request", schema: ApprovalDecision } }, errors: ["approval_not_found", "approval_resolved"] },
  { method: "post", path: "/api/tombstones/{name}/revive", auth: "operator", tag: "Tombstones", summary: "Queue a spawn approval with the prior config and the kept state volume", params: AgentNameParams, examples: { params: { name: AGENT } }, answers: { 201: { description: "The queued request", schema: RevivedTombstone }, 200: { description: "A revive request was already waiting: that one", schema: RevivedTombstone } }, errors: ["tombstone_not_found", "conflict"], engine: true },
  { method: "delete", path: "/api/tombstones/{name}", auth: "operator", tag: "Tombstones", summary: "Purge a tombstone: its state volume, stored config and credentials", params: AgentNameParams, examples: { params: { name: AGENT } }, answers: { 200: { description: "Purged", schema: PurgedTombstone, example: { name: AGENT, purged: true } } }, errors: ["tombstone_not_found", "conflict"], engine: true },

  // The agents' own API
  {
    method: "post", path: "/api/agent/questions", auth: "agent", tag: "Agents' own API", summary: "Ask the operator a question",
    description: "An Idempotency-Key header (or idempotency_key) makes a retried request return the first question (200) instead of asking twice.",
    body: AskQuestionInput, examples: { body: { question: "Which environments should I deploy to?", options: ["staging", "production"], multi: true, ttl_seconds: 600 } },
    answers: { 201: { description: "Asked", schema: AskedQuestion, example: { id: QUESTION_ID, deadline_at: NOW } }, 200: { description: "The same idempotency key asked before: that question", schema: AskedQuestion } },
  },
  { method: "get", path: "/api/agent/questions/{id}", auth: "agent", tag: "Agents' own API", summary: "One's own question: status and answer, waiting up to wait_seconds for it", params: QuestionIdParams, query: WaitQuery, examples: { params: { id: QUESTION_ID }, query: { wait_seconds: "50" } }, answers: { 200: { description: "The question", schema: AgentQuestionView } }, errors: ["question_not_found"] },
  { method: "delete", path: "/api/agent/questions/{id}", auth: "agent", tag: "Agents' own API", summary: "Retract a pending question (the answer becomes [retracted])", params: QuestionIdParams, examples: { params: { id: QUESTION_ID } }, answers: { 200: { description: "The retracted question", schema: AgentQuestionView } }, errors: ["question_not_found", "question_resolved"] },
  { method: "get", path: "/api/agent/inbox", auth: "agent", tag: "Agents' own API", summary: "The inbox, long-polled", query: InboxQuery, examples: { query: { after: "12", wait_seconds: "30" } }, answers: { 200: { description: "Events after `after`; `next` to read on from", schema: InboxPage, example: { events: [{ id: 13, kind: "operator_answered", payload: { id: QUESTION_ID, answer: "yes" }, created_at: NOW }], next: 13 } } } },
  { method: "post", path: "/api/agent/inbox/ack", auth: "agent", tag: "Agents' own API", summary: "The delivery receipt for every event up to an id", body: AckInput, examples: { body: { up_to: 13 } }, answers: { 200: { description: "Acknowledged", schema: AckOutcome, example: { acknowledged: 1, up_to: 13 } } } },
  { method: "get", path: "/api/agent/events", auth: "agent", tag: "Agents' own API", summary: "The inbox as server-sent events, resumable with Last-Event-ID (or ?after=)", query: AgentEventsQuery, examples: { query: { after: "12" } }, answers: { 200: stream("One event per inbox entry, its id the event id") } },
  { method: "post", path: "/api/agent/approvals", auth: "agent", tag: "Agents' own API", summary: "Request a spawn or a config change (managers only)", body: RequestApprovalInput, examples: { body: { kind: "spawn", name: "helper-1", config: { image: "hive-agent:latest", env: { MODE: "fast" } }, description: "a second pair of hands" } }, answers: { 201: { description: "The pending request", schema: ApprovalView } }, errors: ["forbidden", "conflict", "tombstone_exists"] },
  { method: "get", path: "/api/agent/approvals/{id}", auth: "agent", tag: "Agents' own API", summary: "One's own request's status", params: ApprovalIdParams, examples: { params: { id: APPROVAL_ID } }, answers: { 200: { description: "The request", schema: ApprovalView } }, errors: ["approval_not_found"] },
  { method: "delete", path: "/api/agent/approvals/{id}", auth: "agent", tag: "Agents' own API", summary: "Withdraw one's own pending request", params: ApprovalIdParams, examples: { params: { id: APPROVAL_ID } }, answers: { 200: { description: "The cancelled request", schema: ApprovalView } }, errors: ["approval_not_found", "approval_resolved"] },
  { method: "get", path: "/api/agent/agents/{name}", auth: "agent", tag: "Agents' own API", summary: "One's own record: role, desired state, the container as the page shows it", params: AgentNameParams, examples: { params: { name: AGENT } }, answers: { 200: { description: "The agent", schema: OwnAgentView } }, errors: ["forbidden"] },
  { method: "get", path: "/api/agent/agents", auth: "agent", tag: "Agents' own API", summary: "Every agent, for managers", answers: { 200: { description: "The agents as the page shows them", schema: AgentList } }, errors: ["forbidden"], engine: true },
  lifecycle("start", "A manager starts another agent", "agent", false),
  lifecycle("restart", "A manager restarts another agent", "agent", true),
  lifecycle("kill", "A manager kills another agent", "agent", false),
  {
    method: "post", path: "/api/agent/mcp", auth: "agent", tag: "Agents' own API", summary: "The agents' tools over MCP (Streamable HTTP, stateless)",
    description: "One JSON-RPC message per request (initialize, tools/list, tools/call, …). The answer is JSON, or an event stream when the call asked for progress. Tool errors are JSON-RPC results with isError, carrying these error codes in their text and _meta[\"hive/error\"].",
    body: z.looseObject({ jsonrpc: z.literal("2.0"), method: z.string().optional(), id: z.union([z.string(), z.number()]).optional() }),
    examples: { body: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "ask_operator", arguments: { question: "Deploy now?" } } } },
    answers: { 200: { description: "The JSON-RPC answer (application/json), or progress notifications and the answer (text/event-stream)", schema: z.looseObject({ jsonrpc: z.literal("2.0") }) }, 202: { description: "A notification was accepted" } },
    errors: ["not_acceptable"],
  },
];
