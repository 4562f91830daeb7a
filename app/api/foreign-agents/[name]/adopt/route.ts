import { AgentNameParams } from "@/server/contracts/containers";
import { withRoute } from "@/server/http/with-route";
import { adoptAgent } from "@/server/services/agents/adopt-agent";

export const dynamic = "force-dynamic";

// POST /api/foreign-agents/:name/adopt: make another installation's agent this one's (an operator's explicit act).
export const POST = withRoute({ auth: "operator", action: "agent.adopt", params: AgentNameParams }, async ({ ctx, params }) => ({
  agent: await adoptAgent({ ctx, input: { name: params.name } }),
}));
