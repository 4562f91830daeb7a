import { AckInput } from "@/server/contracts/questions";
import { withRoute } from "@/server/http/with-route";
import { acknowledgeInbox } from "@/server/services/agent-inbox";

export const dynamic = "force-dynamic";

// POST /api/agent/inbox/ack { up_to }: the delivery receipt for every event up to that id.
export const POST = withRoute({ auth: "agent", action: "inbox.ack", body: AckInput }, async ({ app, actor, body, audit }) => {
  audit.target = actor.agent;
  return acknowledgeInbox({ app, actor, upTo: body.up_to });
});
