import { AgentNameParams } from "@/server/contracts/containers";
import { withRoute } from "@/server/http/with-route";
import { killAgent } from "@/server/services/agents/kill-agent";

export const dynamic = "force-dynamic";

// POST /api/agent/agents/:name/kill: a manager kills another agent (SIGKILL; its desired state becomes stopped).
export const POST = withRoute({ auth: "agent", action: "agent.kill", params: AgentNameParams }, async ({ ctx, params }) => ({
  agent: await killAgent({ ctx, input: { name: params.name } }),
}));
