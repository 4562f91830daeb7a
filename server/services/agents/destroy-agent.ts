import "server-only";
import { z } from "zod";
import type { ServiceCall } from "../../context";
import { describeActor } from "../../contracts/actors";
import { revokeTokensOfAgent } from "../../db/queries/agent-tokens";
import { adoptAgent, deleteAgent, findAgent, markDestroyed } from "../../db/queries/agents";
import { publishEvent } from "../../db/queries/events";
import { HiveError } from "../../errors";
import { withInFlightSlot } from "../../in-flight/with-in-flight-slot";
import { AgentTarget } from "./internal/inputs";
import { requireRuntime } from "../shared/require-runtime";

export const DestroyAgentInput = AgentTarget.extend({ purge: z.boolean() });
export type DestroyAgentInput = z.infer<typeof DestroyAgentInput>;

/**
 * Destroy removes the container and keeps the state volume and stored config: the agent becomes a
 * tombstone that can be revived. With purge, the volume, the stored config and the tokens go too.
 * Crash records stay either way.
 */
export async function destroyAgent({ ctx, input }: ServiceCall<DestroyAgentInput>) {
  const { name, purge } = DestroyAgentInput.parse(input);
  const actor = describeActor(ctx.actor);
  const runtime = requireRuntime(ctx);
  const db = ctx.db;
  const container = await runtime.inspectAgent(name);
  const hasVolume = purge && (await runtime.listStateVolumes()).some((volume) => volume.name === name);
  if (!container && !hasVolume) throw new HiveError("agent_not_found", `no agent container named ${name}`);
  await withInFlightSlot(ctx, { agent: name, kind: "destroying", action: purge ? "purge" : "destroy", actor, traceId: ctx.traceId }, async () => {
    if (container) await runtime.removeAgent(name);
    ctx.fleet.update(name, null);
    ctx.caches.volumes.invalidate();
    await revokeTokensOfAgent(db, name, new Date());
    if (purge) {
      await runtime.removeStateVolume(name);
      await deleteAgent(db, name);
      await publishEvent(db, { kind: "agent_purged", agent: name, actor });
    } else {
      if (!(await findAgent(db, name))) {
        await db.transaction(async (tx) => {
          await adoptAgent(tx, name, "stopped");
          await markDestroyed(tx, name, new Date());
        });
      } else await markDestroyed(db, name, new Date());
      await publishEvent(db, { kind: "agent_destroyed", agent: name, actor });
    }
  });
  return { name, destroyed: true, purged: purge };
}
