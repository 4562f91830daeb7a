import { AgentNameParams } from "@/server/contracts/containers";
import { withRoute } from "@/server/http/with-route";
import { clearStuckAction } from "@/server/services/agents/clear-stuck-action";

export const dynamic = "force-dynamic";

// DELETE /api/agents/:name/transient: clear a stuck in-flight pill (past its deadline).
export const DELETE = withRoute({ auth: "operator", action: "agent.clear_transient", params: AgentNameParams }, async ({ ctx, params }) =>
  clearStuckAction({ ctx, input: { name: params.name } }),
);
