import { AgentTokenIdParams } from "@/server/contracts/agents";
import { withRoute } from "@/server/http/with-route";
import { revokeAgentToken } from "@/server/services/agent-tokens/revoke-agent-token";

export const dynamic = "force-dynamic";

// DELETE /api/agent-tokens/:id: revoke.
export const DELETE = withRoute(
  { auth: "operator", action: "agent_token.revoke", params: AgentTokenIdParams },
  async ({ ctx, params, audit }) => {
    const token = await revokeAgentToken({ ctx, input: { id: params.id } });
    audit.target = token.agent;
    audit.detail = { tokenId: token.id };
    return token;
  },
);
