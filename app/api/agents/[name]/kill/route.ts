import { AgentNameParams } from "@/server/contracts/containers";
import { withRoute } from "@/server/http/with-route";
import { killAgent } from "@/server/services/agents/kill-agent";

export const dynamic = "force-dynamic";

// POST /api/agents/:name/kill
export const POST = withRoute({ auth: "operator", action: "agent.kill", params: AgentNameParams }, async ({ ctx, params }) => ({
  agent: await killAgent({ ctx, input: { name: params.name } }),
}));
