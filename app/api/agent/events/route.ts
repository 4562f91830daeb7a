import { z } from "zod";
import { withRoute } from "@/server/http/with-route";
import { openInboxStream } from "@/server/services/agent-inbox";
import { HiveError } from "@/server/errors";

export const dynamic = "force-dynamic";

const EventId = z.coerce.number().int().min(0);

// GET /api/agent/events: the agent's inbox as server-sent events, resumable with Last-Event-ID (or ?after=).
export const GET = withRoute(
  { auth: "agent", query: z.strictObject({ after: EventId.optional() }) },
  async ({ app, actor, query, request, signal }) => {
    const header = request.headers.get("last-event-id");
    const parsed = header === null ? null : EventId.safeParse(header);
    if (parsed && !parsed.success) throw new HiveError("invalid_request", "Last-Event-ID must be an event id");
    const after = parsed?.data ?? query.after ?? 0;
    return openInboxStream({ app, actor, after, signal });
  },
);
