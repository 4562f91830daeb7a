import "server-only";
import type { ServiceCall } from "../../context";
import type { OperatorActor } from "../../contracts/actors";
import type { ApprovalView } from "../../contracts/approvals";
import type { ContainerView } from "../../contracts/containers";
import { findAgent, setConfig } from "../../db/queries/agents";
import { markFailed } from "../../db/queries/approvals";
import { HiveError, isHiveError } from "../../errors";
import { isRuntimeError } from "../../runtime/types";
import { toApprovalView } from "../../views/approvals";
import { rebuildAgent } from "../agents/rebuild-agent";
import { spawnAgent } from "../agents/spawn-agent";
import { toConfigInput } from "../shared/agent-config";
import { ApprovalTarget } from "./internal/approval-inputs";
import { refuseKeptState } from "./internal/kept-state";
import { announceDecision, decideOnce } from "./internal/decide";

/**
 * Approves once (a double click or a second operator gets 409 approval_resolved) and executes: a spawn
 * through the containers panel's spawn path, a config change by storing the config and rebuilding. If the
 * engine refuses, the request is marked failed with the engine's message.
 */
export async function approveApproval({ ctx, input }: ServiceCall<ApprovalTarget, OperatorActor>): Promise<{ approval: ApprovalView; agent: ContainerView | null }> {
  const { id } = ApprovalTarget.parse(input);
  const by = ctx.actor.name;
  const row = await decideOnce(ctx.db, id, { status: "approved", decidedBy: by });
  let agent: ContainerView | null = null;
  try {
    if (row.kind === "spawn") {
      if (!row.revive) await refuseKeptState(ctx, row.agent);
      agent = await spawnAgent({ ctx, input: { name: row.agent, role: row.role, ...toConfigInput(row.config) } });
    } else {
      const stored = await findAgent(ctx.db, row.agent);
      if (!stored || stored.destroyedAt) throw new HiveError("agent_not_found", `agent ${row.agent} no longer exists`);
      await setConfig(ctx.db, row.agent, row.config);
      agent = await rebuildAgent({ ctx, input: { name: row.agent } });
    }
  } catch (error) {
    const message = isHiveError(error) || isRuntimeError(error) ? (error as Error).message : "the action failed; see the server log";
    if (!isHiveError(error) && !isRuntimeError(error)) ctx.logger.error({ err: (error as Error).message, approval: id }, "approval execution failed");
    await markFailed(ctx.db, id, message);
    const failed = { ...row, status: "failed" as const, failure: message };
    await announceDecision(ctx.db, failed, by);
    return { approval: toApprovalView(failed), agent: null };
  }
  await announceDecision(ctx.db, row, by);
  return { approval: toApprovalView(row), agent };
}
