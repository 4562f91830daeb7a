import { AgentNameParams } from "@/server/contracts/containers";
import { AgentLogStreamQuery } from "@/server/contracts/journal";
import { clientAddress } from "@/server/http/forwarded";
import { sseResponse } from "@/server/http/sse";
import { withRoute } from "@/server/http/with-route";
import { followAgentLogs } from "@/server/services/journal/follow-agent-logs";

export const dynamic = "force-dynamic";

/** A client this far behind (bytes queued) is dropped rather than buffered without end. */
const MAX_QUEUED_BYTES = 16 * 1024 * 1024;

// GET /api/agents/:name/logs/stream?source=&after=&afterCount=: new log lines over SSE, from the reader's cursor.
// Each client address holds at most HIVE_LOG_FOLLOWS_PER_CLIENT follows; one more is a 429 too_many_streams.
export const GET = withRoute(
  { auth: "operator", params: AgentNameParams, query: AgentLogStreamQuery },
  async ({ ctx, request, params, query, holdUntilDone }) => {
    holdUntilDone(ctx.logFollows.take(clientAddress(request, ctx.config.auth.trustedProxies)));
    return sseResponse(ctx, await followAgentLogs({ ctx, input: { name: params.name, ...query } }), { maxQueuedBytes: MAX_QUEUED_BYTES });
  },
);
