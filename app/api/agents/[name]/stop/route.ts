import { AgentNameParams, StopAgentInput } from "@/server/contracts/containers";
import { withRoute } from "@/server/http/with-route";
import { stopAgent } from "@/server/services/agents/stop-agent";

export const dynamic = "force-dynamic";

// POST /api/agents/:name/stop  { timeoutSeconds? }
export const POST = withRoute(
  { auth: "operator", action: "agent.stop", params: AgentNameParams, body: StopAgentInput },
  async ({ ctx, params, body }) => ({
    agent: await stopAgent({ ctx, input: { name: params.name, timeoutSeconds: body.timeoutSeconds } }),
  }),
);
