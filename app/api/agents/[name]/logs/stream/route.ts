import { AgentNameParams } from "@/server/contracts/containers";
import { AgentLogStreamQuery } from "@/server/contracts/journal";
import { sseResponse } from "@/server/http/sse";
import { withRoute } from "@/server/http/with-route";
import { followAgentLogs } from "@/server/services/journal/follow-agent-logs";

export const dynamic = "force-dynamic";

/** A client this far behind (bytes queued) is dropped rather than buffered without end. */
const MAX_QUEUED_BYTES = 16 * 1024 * 1024;

// GET /api/agents/:name/logs/stream?source=&after=&afterCount=: new log lines over SSE, from the reader's cursor.
export const GET = withRoute({ auth: "operator", params: AgentNameParams, query: AgentLogStreamQuery }, async ({ ctx, params, query }) =>
  sseResponse(ctx, await followAgentLogs({ ctx, input: { name: params.name, ...query } }), { maxQueuedBytes: MAX_QUEUED_BYTES }),
);
