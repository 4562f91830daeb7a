import { InboxQuery } from "@/server/contracts/questions";
import { withRoute } from "@/server/http/with-route";
import { readInbox } from "@/server/services/inbox/read-inbox";

export const dynamic = "force-dynamic";

// GET /api/agent/inbox?after=&wait_seconds=: the long-poll form of /api/agent/events.
export const GET = withRoute({ auth: "agent", query: InboxQuery }, async ({ ctx, query }) =>
  readInbox({ ctx, input: { after: query.after, waitSeconds: query.wait_seconds } }),
);
