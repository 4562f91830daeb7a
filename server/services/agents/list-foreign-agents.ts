import "server-only";
import type { ServiceCall } from "../../context";
import type { ForeignAgentList } from "../../contracts/containers";
import { requireRuntime } from "../shared/require-runtime";

/** Agents on the engine that another installation manages (or none claims): read-only here until adopted. */
export async function listForeignAgents({ ctx }: ServiceCall<void>): Promise<ForeignAgentList> {
  requireRuntime(ctx);
  return { installation: ctx.installation, agents: await ctx.caches.foreign.list() };
}
