import "server-only";
import type { ServiceCall } from "../../context";
import type { AgentActor } from "../../contracts/actors";
import { type ApprovalView, RequestApprovalInput } from "../../contracts/approvals";
import { findAgent } from "../../db/queries/agents";
import { insertApproval } from "../../db/queries/approvals";
import { publishEvent } from "../../db/queries/events";
import { HiveError } from "../../errors";
import { newId } from "../../security/tokens";
import { toAgentApprovalView } from "../../views/approvals";
import { toStoredConfig } from "../shared/agent-config";
import { refuseKeptState } from "./internal/kept-state";

/** A manager agent asks for a new agent or a config change; the operator decides. */
export async function requestApproval({ ctx, input }: ServiceCall<RequestApprovalInput, AgentActor>): Promise<ApprovalView> {
  const { actor } = ctx;
  if (actor.role !== "manager") throw new HiveError("forbidden", "only manager agents may request spawns and config changes");
  const request = RequestApprovalInput.parse(input);
  const db = ctx.db;
  let previousConfig = null;
  if (request.kind === "config_change") {
    const stored = await findAgent(db, request.name);
    previousConfig = stored?.config ?? (ctx.engine.status === "up" ? await ctx.runtime.readAgentConfig(request.name) : null);
    if (!previousConfig || stored?.destroyedAt) throw new HiveError("agent_not_found", `no agent named ${request.name} to change`);
  } else if (ctx.fleet.current()?.some((container) => container.name === request.name)) {
    throw new HiveError("conflict", `agent ${request.name} already exists`);
  } else if (ctx.engine.status === "up") {
    await refuseKeptState(ctx, request.name);
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
