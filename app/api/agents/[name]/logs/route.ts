import { AgentNameParams } from "@/server/contracts/containers";
import { AgentLogsQuery } from "@/server/contracts/journal";
import { withRoute } from "@/server/http/with-route";
import { readAgentLogs } from "@/server/services/read-agent-logs";

export const dynamic = "force-dynamic";

// GET /api/agents/:name/logs?lines=&source=&timestamps=: the last lines of the agent's container log.
export const GET = withRoute({ auth: "operator", params: AgentNameParams, query: AgentLogsQuery }, async ({ app, params, query, signal }) =>
  readAgentLogs({ app, input: { name: params.name, ...query }, signal }),
);
