import { AgentNameParams } from "@/server/contracts/containers";
import { AgentLogsQuery } from "@/server/contracts/journal";
import { streamedJsonResponse } from "@/server/http/streamed-json";
import { withRoute } from "@/server/http/with-route";
import { readAgentLogs } from "@/server/services/journal/read-agent-logs";
import { logReadJson } from "@/server/views/log-read-json";

export const dynamic = "force-dynamic";

// GET /api/agents/:name/logs?lines=&source=&timestamps=: the last lines of the agent's container log.
export const GET = withRoute({ auth: "operator", params: AgentNameParams, query: AgentLogsQuery }, async ({ ctx, params, query }) =>
  streamedJsonResponse(ctx, logReadJson(await readAgentLogs({ ctx, input: { name: params.name, ...query } }))),
);
