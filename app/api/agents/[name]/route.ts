import { AgentNameParams, DestroyAgentQuery } from "@/server/contracts/containers";
import { withRoute } from "@/server/http/with-route";
import { destroyAgent } from "@/server/services/agents/destroy-agent";

export const dynamic = "force-dynamic";

// DELETE /api/agents/:name[?purge=true]: destroy (keep the state volume) or destroy and purge.
export const DELETE = withRoute(
  {
    auth: "operator",
    action: "agent.destroy",
    params: AgentNameParams,
    query: DestroyAgentQuery,
  },
  async ({ ctx, params, query, audit }) => {
    const purge = query.purge === "true";
    audit.detail = { purge };
    return destroyAgent({ ctx, input: { name: params.name, purge } });
  },
);
