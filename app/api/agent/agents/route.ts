import { withRoute } from "@/server/http/with-route";
import { listAgentViews } from "@/server/services/agents/list-agent-views";

export const dynamic = "force-dynamic";

// GET /api/agent/agents: managers see every agent (observed and desired state, in-flight action, crashes).
export const GET = withRoute({ auth: "agent" }, async ({ ctx }) => ({ agents: await listAgentViews({ ctx, input: undefined }) }));
