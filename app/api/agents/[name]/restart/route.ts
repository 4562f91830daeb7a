import { AgentNameParams, StopAgentInput } from "@/server/contracts/containers";
import { withRoute } from "@/server/http/with-route";
import { restartAgent } from "@/server/services/restart-agent";

export const dynamic = "force-dynamic";

// POST /api/agents/:name/restart  { timeoutSeconds? }
export const POST = withRoute(
  { auth: "operator", action: "agent.restart", params: AgentNameParams, body: StopAgentInput },
  async ({ app, actor, params, body, traceId }) => ({
    agent: await restartAgent({ app, actor: actor.name, name: params.name, timeoutSeconds: body.timeoutSeconds, traceId }),
  }),
);
