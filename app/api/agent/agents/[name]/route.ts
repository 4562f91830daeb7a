import { AgentNameParams } from "@/server/contracts/containers";
import { withRoute } from "@/server/http/with-route";
import { describeOwnAgent } from "@/server/services/agents/describe-own-agent";

export const dynamic = "force-dynamic";

// GET /api/agent/agents/:name: an agent reads its own record (role, desired state, its container as the page shows it).
export const GET = withRoute({ auth: "agent", params: AgentNameParams }, async ({ ctx, params }) =>
  describeOwnAgent({ ctx, input: { name: params.name } }),
);
