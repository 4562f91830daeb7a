import { AgentNameParams } from "@/server/contracts/containers";
import { withRoute } from "@/server/http/with-route";
import { startAgent } from "@/server/services/start-agent";

export const dynamic = "force-dynamic";

// POST /api/agents/:name/start
export const POST = withRoute({ auth: "operator", action: "agent.start", params: AgentNameParams }, async ({ app, actor, params, traceId }) => ({
  agent: await startAgent({ app, actor: actor.name, name: params.name, traceId }),
}));
