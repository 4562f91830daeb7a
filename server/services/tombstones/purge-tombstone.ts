import "server-only";
import type { ServiceCall } from "../../context";
import { describeActor } from "../../contracts/actors";
import { revokeTokensOfAgent } from "../../db/queries/agent-tokens";
import { deleteAgent } from "../../db/queries/agents";
import { publishEvent } from "../../db/queries/events";
import { requireTombstone } from "./internal/require-tombstone";
import { TombstoneTarget } from "./internal/tombstone-inputs";

/** Purge deletes the state volume, the stored config and the tokens for good. Crash records stay. */
export async function purgeTombstone({ ctx, input }: ServiceCall<TombstoneTarget>) {
  const { name } = TombstoneTarget.parse(input);
  await requireTombstone(ctx, name);
  const db = ctx.db;
  await ctx.runtime.removeStateVolume(name);
  ctx.caches.volumes.invalidate();
  await revokeTokensOfAgent(db, name, new Date());
  await deleteAgent(db, name);
  await publishEvent(db, { kind: "tombstone_purged", agent: name, actor: describeActor(ctx.actor) });
  return { name, purged: true };
}
