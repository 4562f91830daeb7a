import "server-only";
import type { HiveApp } from "../app";
import { adoptAgent, deleteAgent, findAgent, markDestroyed } from "../db/queries/agents";
import { revokeTokensOfAgent } from "../db/queries/agent-tokens";
import { publishEvent } from "../db/queries/events";
import { HiveError } from "../errors";
import { withInFlightSlot } from "./agent-action";
import { requireRuntime } from "./require-runtime";

/**
 * Destroy removes the container and keeps the state volume and stored config: the agent becomes a
 * tombstone that can be revived. With purge, the volume, the stored config and the tokens go too.
 * Crash records stay either way.
 */
export async function destroyAgent({
  app,
  actor,
  name,
  purge,
  traceId,
}: {
  app: HiveApp;
  actor: string;
  name: string;
  purge: boolean;
  traceId?: string;
}) {
  const runtime = requireRuntime(app);
  const db = app.database.db;
  const container = await runtime.inspectAgent(name);
  const hasVolume = purge && (await runtime.listStateVolumes()).some((volume) => volume.name === name);
  if (!container && !hasVolume) throw new HiveError("agent_not_found", `no agent container named ${name}`);
  await withInFlightSlot({ app, agent: name, kind: "destroying", action: purge ? "purge" : "destroy", actor, traceId }, async () => {
    if (container) await runtime.removeAgent(name);
    app.fleet.update(name, null);
    app.volumes.invalidate();
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
