import { AgentNameParams, CrashesQuery } from "@/server/contracts/containers";
import { withRoute } from "@/server/http/with-route";
import { listCrashes } from "@/server/services/agents/list-crashes";

export const dynamic = "force-dynamic";

// GET /api/agents/:name/crashes?limit=: crash history with each crash's last log lines (kept after rebuild/destroy).
export const GET = withRoute(
  { auth: "operator", params: AgentNameParams, query: CrashesQuery },
  async ({ ctx, params, query }) => ({ crashes: await listCrashes({ ctx, input: { name: params.name, limit: query.limit } }) }),
);
