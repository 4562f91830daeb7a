import { AgentNameParams, StopAgentInput } from "@/server/contracts/containers";
import { withRoute } from "@/server/http/with-route";
import { restartAgent } from "@/server/services/agents/restart-agent";

export const dynamic = "force-dynamic";

// POST /api/agent/agents/:name/restart { timeoutSeconds? }: a manager restarts another agent.
export const POST = withRoute(
  { auth: "agent", action: "agent.restart", params: AgentNameParams, body: StopAgentInput },
  async ({ ctx, params, body }) => ({
    agent: await restartAgent({ ctx, input: { name: params.name, timeoutSeconds: body.timeoutSeconds } }),
  }),
);
