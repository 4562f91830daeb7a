import { AgentNameParams } from "@/server/contracts/containers";
import { AgentLogStreamQuery } from "@/server/contracts/journal";
import { withRoute } from "@/server/http/with-route";
import { followAgentLogs } from "@/server/services/follow-agent-logs";

export const dynamic = "force-dynamic";

// GET /api/agents/:name/logs/stream?source=&after=&afterCount=: new log lines over SSE, from the reader's cursor.
export const GET = withRoute({ auth: "operator", params: AgentNameParams, query: AgentLogStreamQuery }, async ({ app, params, query, signal }) =>
  followAgentLogs({ app, input: { name: params.name, ...query }, signal }),
);
