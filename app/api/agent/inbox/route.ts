import { InboxQuery } from "@/server/contracts/questions";
import { withRoute } from "@/server/http/with-route";
import { readInbox } from "@/server/services/agent-inbox";

export const dynamic = "force-dynamic";

// GET /api/agent/inbox?after=&wait_seconds=: the long-poll form of /api/agent/events.
export const GET = withRoute({ auth: "agent", query: InboxQuery }, async ({ app, actor, query, signal }) =>
  readInbox({ app, actor, after: query.after, waitSeconds: query.wait_seconds, signal }),
);
