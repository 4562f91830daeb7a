import "server-only";
import type { ServiceCall } from "../../context";
import { describeActor } from "../../contracts/actors";
import { type ContainerView, SpawnAgentInput } from "../../contracts/containers";
import { issueContainerCredentials } from "../../credentials/container-credentials";
import { deleteAgent, findAgent, upsertSpawnedAgent } from "../../db/queries/agents";
import { publishEvent } from "../../db/queries/events";
import { agents } from "../../db/schema";
import { HiveError } from "../../errors";
import { withInFlightSlot } from "../../in-flight/with-in-flight-slot";
import { loadContainerView } from "./internal/act-then-view";
import { toStoredConfig } from "../shared/agent-config";
import { asSettingsRefusal } from "../shared/engine-refusal";
import { requireKnownNode } from "../shared/known-node";
import { requireRuntime } from "../shared/require-runtime";

/**
 * Creates and starts an agent: its state volume (reused when a tombstone left one), its container with a
 * fresh token and the API address in its env, and its record (desired state running). A spawn that fails
 * leaves nothing behind: no container, no new volume, no token, the previous record as it was. An operator's node
 * pick must name a node the runtime knows; the agent is pinned there (a revived agent's state decides instead).
 */
export async function spawnAgent({ ctx, input }: ServiceCall<SpawnAgentInput>): Promise<ContainerView | null> {
  const spec = SpawnAgentInput.parse(input);
  const actor = describeActor(ctx.actor);
  const runtime = requireRuntime(ctx);
  const db = ctx.db;
  if (await runtime.inspectAgent(spec.name)) {
    throw new HiveError("conflict", `agent ${spec.name} already exists`);
  }
  if (spec.node !== undefined) await requireKnownNode(runtime, spec.node);
  await withInFlightSlot(ctx, { agent: spec.name, kind: "spawning", action: "spawn", actor, traceId: ctx.traceId }, async () => {
    ctx.caches.volumes.invalidate();
    const previous = await findAgent(db, spec.name);
    const volumeExisted = (await runtime.listStateVolumes()).some((volume) => volume.name === spec.name);
    const config = toStoredConfig(spec);
    const role = spec.role ?? previous?.role ?? "agent";
    await upsertSpawnedAgent(db, { name: spec.name, role, config, actor });
    const credentials = await issueContainerCredentials(ctx, spec.name, role, actor);
    try {
      await runtime.createAgent({ name: spec.name, ...config, env: { ...config.env, ...credentials.env }, node: spec.node });
      await runtime.startAgent(spec.name);
    } catch (error) {
      await runtime.removeAgent(spec.name).catch(() => undefined);
      if (!volumeExisted) await runtime.removeStateVolume(spec.name).catch(() => undefined);
      await credentials.revoke().catch(() => undefined);
      if (previous) await db.insert(agents).values(previous).onConflictDoUpdate({ target: agents.name, set: previous });
      else await deleteAgent(db, spec.name);
      ctx.caches.volumes.invalidate();
      throw asSettingsRefusal(error);
    }
    await credentials.retireOthers();
    ctx.caches.volumes.invalidate();
    await publishEvent(db, { kind: "agent_spawned", agent: spec.name, actor, detail: { image: spec.image, revived: volumeExisted, ...(spec.node ? { node: spec.node } : {}) } });
  });
  return loadContainerView(ctx, spec.name);
}
