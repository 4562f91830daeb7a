import { AgentStatsQuery } from "@/server/contracts/agent-stats";
import { withRoute } from "@/server/http/with-route";
import { readAgentStats } from "@/server/services/agents/read-agent-stats";

export const dynamic = "force-dynamic";

// GET /api/agent-stats?names=a,b: CPU, memory and network of the agents whose rows the operator sees.
export const GET = withRoute({ auth: "operator", query: AgentStatsQuery }, async ({ ctx, query }) => ({
  stats: await readAgentStats({ ctx, input: { names: query.names } }),
}));
