import { AckInput } from "@/server/contracts/questions";
import { withRoute } from "@/server/http/with-route";
import { acknowledgeInbox } from "@/server/services/inbox/acknowledge-inbox";

export const dynamic = "force-dynamic";

// POST /api/agent/inbox/ack { up_to }: the delivery receipt for every event up to that id.
export const POST = withRoute({ auth: "agent", action: "inbox.ack", body: AckInput }, async ({ ctx, body, audit }) => {
  audit.target = ctx.actor.agent;
  return acknowledgeInbox({ ctx, input: { upTo: body.up_to } });
});
