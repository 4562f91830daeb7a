import "server-only";
import type { HiveContext } from "../../../context";
import { HiveError } from "../../../errors";

/**
 * A new agent named like a destroyed one would mount that agent's kept state volume. Only an operator may bring
 * that state back (Revive), so a spawn that is not a revive is refused while the volume is there.
 */
export async function refuseKeptState(ctx: HiveContext, name: string): Promise<void> {
  ctx.caches.volumes.invalidate();
  const kept = (await ctx.caches.volumes.list()).some((volume) => volume.name === name);
  if (kept) {
    throw new HiveError(
      "tombstone_exists",
      `agent ${name} was destroyed and its state is kept as a tombstone: an operator may revive it (Tombstones), or purge it before the name is used for a new agent`,
    );
  }
}
