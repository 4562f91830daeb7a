import { z } from "zod";
import { withRoute } from "@/server/http/with-route";
import { serveAgentMcp } from "@/server/mcp/endpoint";

export const dynamic = "force-dynamic";

// POST /api/agent/mcp: the agents' tools over MCP (Streamable HTTP, stateless). Each tool call that changes
// something writes the audit row its REST route would, so the request itself is not audited.
export const POST = withRoute({ auth: "agent", skipAudit: true, body: z.unknown() }, ({ ctx, request, body }) =>
  serveAgentMcp(ctx, request, body),
);
