import { AgentNameParams, StopAgentInput } from "@/server/contracts/containers";
import { withRoute } from "@/server/http/with-route";
import { stopAgent } from "@/server/services/stop-agent";

export const dynamic = "force-dynamic";

// POST /api/agents/:name/stop  { timeoutSeconds? }
export const POST = withRoute(
  { auth: "operator", action: "agent.stop", params: AgentNameParams, body: StopAgentInput },
  async ({ app, actor, params, body, traceId }) => ({
    agent: await stopAgent({ app, actor: actor.name, name: params.name, timeoutSeconds: body.timeoutSeconds, traceId }),
  }),
);
