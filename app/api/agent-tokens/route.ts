import { AgentTokensQuery, MintAgentTokenInput } from "@/server/contracts/agents";
import { withRoute } from "@/server/http/with-route";
import { listAgentTokens } from "@/server/services/agent-tokens/list-agent-tokens";
import { mintAgentToken } from "@/server/services/agent-tokens/mint-agent-token";

export const dynamic = "force-dynamic";

// GET /api/agent-tokens?agent=: tokens without their secrets.
export const GET = withRoute(
  { auth: "operator", query: AgentTokensQuery },
  async ({ ctx, query }) => ({ tokens: await listAgentTokens({ ctx, input: { agent: query.agent } }) }),
);

// POST /api/agent-tokens: mint a token; the secret is in this response only.
export const POST = withRoute(
  { auth: "operator", action: "agent_token.mint", body: MintAgentTokenInput },
  async ({ ctx, body, audit }) => {
    const minted = await mintAgentToken({ ctx, input: body });
    audit.target = minted.agent;
    audit.detail = { tokenId: minted.id, role: minted.role };
    return Response.json(minted, { status: 201 });
  },
);
