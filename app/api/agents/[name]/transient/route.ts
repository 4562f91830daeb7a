import { AgentNameParams } from "@/server/contracts/containers";
import { withRoute } from "@/server/http/with-route";
import { clearStuckTransient } from "@/server/services/clear-transient";

export const dynamic = "force-dynamic";

// DELETE /api/agents/:name/transient: clear a stuck in-flight pill (past its deadline).
export const DELETE = withRoute(
  { auth: "operator", action: "agent.clear_transient", params: AgentNameParams },
  async ({ app, actor, params }) => clearStuckTransient({ app, actor: actor.name, name: params.name }),
);
