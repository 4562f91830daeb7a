import "server-only";
import type { HiveContext } from "../../../context";
import { HiveError, runtimeNotReady } from "../../../errors";

/** The tombstone of `name`: one of our state volumes with no container; else 409 (live) or 404. */
export async function requireTombstone(ctx: HiveContext, name: string) {
  if (ctx.engine.status !== "up") throw runtimeNotReady();
  ctx.caches.volumes.invalidate();
  const volume = (await ctx.caches.volumes.list()).find((entry) => entry.name === name);
  if (await ctx.runtime.inspectAgent(name)) {
    throw new HiveError("conflict", `a live container of agent ${name} exists; destroy it first`);
  }
  if (!volume) throw new HiveError("tombstone_not_found", `no tombstone named ${name}`);
  return volume;
}
