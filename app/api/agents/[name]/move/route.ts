import { AgentNameParams, MoveAgentInput } from "@/server/contracts/containers";
import { withRoute } from "@/server/http/with-route";
import { moveAgent } from "@/server/services/agents/move-agent";

export const dynamic = "force-dynamic";

// POST /api/agents/:name/move { node }: the agent and its state volume to another node (stopped, copied, started).
export const POST = withRoute(
  { auth: "operator", action: "agent.move", params: AgentNameParams, body: MoveAgentInput },
  async ({ ctx, params, body, audit }) => {
    audit.detail = { node: body.node };
    return moveAgent({ ctx, input: { name: params.name, node: body.node } });
  },
);
