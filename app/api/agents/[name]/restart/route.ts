import { AgentNameParams, StopAgentInput } from "@/server/contracts/containers";
import { withRoute } from "@/server/http/with-route";
import { restartAgent } from "@/server/services/agents/restart-agent";

export const dynamic = "force-dynamic";

// POST /api/agents/:name/restart  { timeoutSeconds? }
export const POST = withRoute(
  { auth: "operator", action: "agent.restart", params: AgentNameParams, body: StopAgentInput },
  async ({ ctx, params, body }) => ({
    agent: await restartAgent({ ctx, input: { name: params.name, timeoutSeconds: body.timeoutSeconds } }),
  }),
);
