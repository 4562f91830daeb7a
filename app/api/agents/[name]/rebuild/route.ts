import { AgentNameParams } from "@/server/contracts/containers";
import { withRoute } from "@/server/http/with-route";
import { rebuildAgent } from "@/server/services/agents/rebuild-agent";

export const dynamic = "force-dynamic";

// POST /api/agents/:name/rebuild
export const POST = withRoute({ auth: "operator", action: "agent.rebuild", params: AgentNameParams }, async ({ ctx, params }) => ({
  agent: await rebuildAgent({ ctx, input: { name: params.name } }),
}));
