import { withRoute } from "@/server/http/with-route";
import { listForeignAgents } from "@/server/services/agents/list-foreign-agents";

export const dynamic = "force-dynamic";

// GET /api/foreign-agents: agents on the engine that another installation manages (read-only here until adopted).
export const GET = withRoute({ auth: "operator" }, async ({ ctx }) => listForeignAgents({ ctx, input: undefined }));
