import "server-only";
import type { HiveApp } from "../app";
import { type ApprovalView, RequestApprovalInput } from "../contracts/approvals";
import type { ContainerView } from "../contracts/containers";
import { enqueueAgentEvent } from "../db/queries/agent-events";
import { findAgent, setConfig } from "../db/queries/agents";
import { type ApprovalRow, decidePending, findApproval, insertApproval, markFailed } from "../db/queries/approvals";
import { publishEvent } from "../db/queries/events";
import { HiveError, isHiveError } from "../errors";
import type { AgentActor, OperatorActor } from "../http/auth";
import { isRuntimeError } from "../runtime/types";
import { newId } from "../security/tokens";
import { toAgentApprovalView, toApprovalView } from "../views/approvals";
import { toConfigInput, toStoredConfig } from "./agent-config";
import { rebuildAgent } from "./rebuild-agent";
import { spawnAgent } from "./spawn-agent";

/** A manager agent asks for a new agent or a config change; the operator decides. */
export async function requestApproval({ app, actor, input }: { app: HiveApp; actor: AgentActor; input: RequestApprovalInput }): Promise<ApprovalView> {
  if (actor.role !== "manager") throw new HiveError("forbidden", "only manager agents may request spawns and config changes");
  const request = RequestApprovalInput.parse(input);
  const db = app.database.db;
  let previousConfig = null;
  if (request.kind === "config_change") {
    const stored = await findAgent(db, request.name);
    previousConfig = stored?.config ?? (app.runtimeMonitor.status === "up" ? await app.runtime.readAgentConfig(request.name) : null);
    if (!previousConfig || stored?.destroyedAt) throw new HiveError("agent_not_found", `no agent named ${request.name} to change`);
  } else if (app.fleet.current()?.some((container) => container.name === request.name)) {
    throw new HiveError("conflict", `agent ${request.name} already exists`);
  }
  const row = await insertApproval(db, {
    id: newId("apr"),
    kind: request.kind,
    agent: request.name,
    role: request.kind === "spawn" ? (request.role ?? "agent") : ((await findAgent(db, request.name))?.role ?? "agent"),
    requestedBy: actor.agent,
    requesterKind: "agent",
    description: request.description,
    config: toStoredConfig(request.config, previousConfig),
    previousConfig,
  });
  await publishEvent(db, { kind: "approval_requested", agent: request.name, actor: `agent:${actor.agent}`, detail: { approvalId: row.id, approvalKind: row.kind }, ref: row.id });
  return toAgentApprovalView(row);
}

async function ownApproval(app: HiveApp, actor: AgentActor, id: string): Promise<ApprovalRow> {
  const row = await findApproval(app.database.db, id);
  if (!row || row.requesterKind !== "agent" || row.requestedBy !== actor.agent) throw new HiveError("approval_not_found", `no approval ${id} of agent ${actor.agent}`);
  return row;
}

export async function readOwnApproval({ app, actor, id }: { app: HiveApp; actor: AgentActor; id: string }): Promise<ApprovalView> {
  return toAgentApprovalView(await ownApproval(app, actor, id));
}

export async function withdrawApproval({ app, actor, id }: { app: HiveApp; actor: AgentActor; id: string }): Promise<ApprovalView> {
  await ownApproval(app, actor, id);
  const row = await decideOnce(app, id, { status: "cancelled", decidedBy: `agent:${actor.agent}` });
  await publishEvent(app.database.db, { kind: "approval_withdrawn", agent: row.agent, actor: `agent:${actor.agent}`, detail: { approvalId: id }, ref: id });
  return toAgentApprovalView(row);
}

async function decideOnce(app: HiveApp, id: string, decision: Parameters<typeof decidePending>[2]): Promise<ApprovalRow> {
  const row = await decidePending(app.database.db, id, decision);
  if (row) return row;
  const current = await findApproval(app.database.db, id);
  if (!current) throw new HiveError("approval_not_found", `no approval ${id}`);
  throw new HiveError("approval_resolved", `approval ${id} was already ${current.status}${current.decidedBy ? ` by ${current.decidedBy}` : ""}`, {
    status: current.status,
    decidedBy: current.decidedBy,
  });
}

/** The requesting agent hears the outcome in its inbox; operators see it in the activity feed. */
async function announceDecision(app: HiveApp, row: ApprovalRow, actor: string) {
  const db = app.database.db;
  if (row.requesterKind === "agent") {
    await enqueueAgentEvent(db, {
      agent: row.requestedBy,
      kind: "approval_resolved",
      payload: { id: row.id, kind: row.kind, agent: row.agent, status: row.status, note: row.note, failure: row.failure },
      ref: row.id,
    });
  }
  await publishEvent(db, {
    kind: "approval_decided",
    agent: row.agent,
    actor,
    detail: { approvalId: row.id, approvalKind: row.kind, status: row.status, failure: row.failure, note: row.note },
    ref: row.id,
  });
}

/**
 * Approves once (a double click or a second operator gets 409 approval_resolved) and executes: a spawn
 * through the containers panel's spawn path, a config change by storing the config and rebuilding. If the
 * engine refuses, the request is marked failed with the engine's message.
 */
export async function approveApproval({
  app,
  actor,
  id,
  traceId,
}: {
  app: HiveApp;
  actor: OperatorActor;
  id: string;
  traceId?: string;
}): Promise<{ approval: ApprovalView; agent: ContainerView | null }> {
  const row = await decideOnce(app, id, { status: "approved", decidedBy: actor.name });
  let agent: ContainerView | null = null;
  try {
    if (row.kind === "spawn") {
      agent = await spawnAgent({ app, actor: actor.name, input: { name: row.agent, role: row.role, ...toConfigInput(row.config) }, traceId });
    } else {
      const stored = await findAgent(app.database.db, row.agent);
      if (!stored || stored.destroyedAt) throw new HiveError("agent_not_found", `agent ${row.agent} no longer exists`);
      await setConfig(app.database.db, row.agent, row.config);
      agent = await rebuildAgent({ app, actor: actor.name, name: row.agent, traceId });
    }
  } catch (error) {
    const message = isHiveError(error) || isRuntimeError(error) ? (error as Error).message : "the action failed; see the server log";
    if (!isHiveError(error) && !isRuntimeError(error)) app.logger.error({ err: (error as Error).message, approval: id }, "approval execution failed");
    await markFailed(app.database.db, id, message);
    const failed = { ...row, status: "failed" as const, failure: message };
    await announceDecision(app, failed, actor.name);
    return { approval: toApprovalView(failed), agent: null };
  }
  await announceDecision(app, row, actor.name);
  return { approval: toApprovalView(row), agent };
}

export async function denyApproval({ app, actor, id, note }: { app: HiveApp; actor: OperatorActor; id: string; note?: string }) {
  const row = await decideOnce(app, id, { status: "denied", decidedBy: actor.name, note: note || null });
  await announceDecision(app, row, actor.name);
  return { approval: toApprovalView(row) };
}
