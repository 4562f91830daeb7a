import { AgentEventsQuery, EventId } from "@/server/contracts/questions";
import { HiveError } from "@/server/errors";
import { sseResponse } from "@/server/http/sse";
import { withRoute } from "@/server/http/with-route";
import { followInbox } from "@/server/services/inbox/follow-inbox";

export const dynamic = "force-dynamic";


// GET /api/agent/events: the agent's inbox as server-sent events, resumable with Last-Event-ID (or ?after=).
export const GET = withRoute(
  { auth: "agent", query: AgentEventsQuery },
  async ({ ctx, query, request }) => {
    const header = request.headers.get("last-event-id");
    const parsed = header === null ? null : EventId.safeParse(header);
    if (parsed && !parsed.success) throw new HiveError("invalid_request", "Last-Event-ID must be an event id");
    const after = parsed?.data ?? query.after ?? 0;
    return sseResponse(ctx, followInbox({ ctx, input: { after } }));
  },
);
