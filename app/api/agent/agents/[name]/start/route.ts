import { AgentNameParams } from "@/server/contracts/containers";
import { withRoute } from "@/server/http/with-route";
import { startAgent } from "@/server/services/agents/start-agent";

export const dynamic = "force-dynamic";

// POST /api/agent/agents/:name/start: a manager starts another agent (same slot and pill as an operator's start).
export const POST = withRoute({ auth: "agent", action: "agent.start", params: AgentNameParams }, async ({ ctx, params }) => ({
  agent: await startAgent({ ctx, input: { name: params.name } }),
}));
