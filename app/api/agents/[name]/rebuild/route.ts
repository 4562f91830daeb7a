import { AgentNameParams } from "@/server/contracts/containers";
import { withRoute } from "@/server/http/with-route";
import { rebuildAgent } from "@/server/services/rebuild-agent";

export const dynamic = "force-dynamic";

// POST /api/agents/:name/rebuild
export const POST = withRoute({ auth: "operator", action: "agent.rebuild", params: AgentNameParams }, async ({ app, actor, params, traceId }) => ({
  agent: await rebuildAgent({ app, actor: actor.name, name: params.name, traceId }),
}));
