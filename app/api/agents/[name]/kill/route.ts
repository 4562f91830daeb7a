import { AgentNameParams } from "@/server/contracts/containers";
import { withRoute } from "@/server/http/with-route";
import { killAgent } from "@/server/services/kill-agent";

export const dynamic = "force-dynamic";

// POST /api/agents/:name/kill
export const POST = withRoute({ auth: "operator", action: "agent.kill", params: AgentNameParams }, async ({ app, actor, params, traceId }) => ({
  agent: await killAgent({ app, actor: actor.name, name: params.name, traceId }),
}));
