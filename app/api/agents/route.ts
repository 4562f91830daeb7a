import { withRoute } from "@/server/http/with-route";
import { listAgents } from "@/server/services/list-agents";

export const dynamic = "force-dynamic";

// GET /api/agents: the agent containers the engine reports.
export const GET = withRoute({ auth: "operator" }, async ({ app }) => ({ agents: await listAgents({ app }) }));
