import "server-only";
import { AckInboxInput, AckOutcome, InboxPage, ReadInboxInput } from "../../contracts/agent-tools";
import { acknowledgeInbox } from "../../services/inbox/acknowledge-inbox";
import { readInbox } from "../../services/inbox/read-inbox";
import { defineTool } from "../tool";

export const readInboxTool = defineTool({
  name: "read_inbox",
  title: "Read your inbox",
  description:
    "Read the events addressed to you, oldest first: operator_answered (an answer, cancel, expiry or retraction of " +
    "your question), approval_resolved (your spawn or config change request was decided), and system notes (you " +
    "were started, restarted or recovered). Pass the `next` of your previous read as `after` to get only new " +
    "events; with wait_seconds the call waits for the first new event. Acknowledge what you handled with ack_inbox.",
  input: ReadInboxInput,
  output: InboxPage,
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  run: ({ ctx, input }) => readInbox({ ctx, input: { after: input.after, waitSeconds: input.wait_seconds } }),
  summary: ({ events, next }) =>
    events.length === 0
      ? `No new events. Read again with after: ${next}.`
      : `${events.length} event${events.length === 1 ? "" : "s"} (${[...new Set(events.map((event) => event.kind))].join(", ")}). ` +
        `Read on with after: ${next}; acknowledge with ack_inbox up_to: ${next}.`,
});

export const ackInbox = defineTool({
  name: "ack_inbox",
  title: "Acknowledge inbox events",
  description:
    "Acknowledge every event in your inbox up to and including `up_to` (an event id): operators see that you " +
    "received the answers. Acknowledging again is harmless.",
  input: AckInboxInput,
  output: AckOutcome,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  audit: { action: "inbox.ack", target: (_, actor) => actor.agent },
  run: ({ ctx, input }) => acknowledgeInbox({ ctx, input: { upTo: input.up_to } }),
  summary: ({ acknowledged, up_to }) => `Acknowledged ${acknowledged} event${acknowledged === 1 ? "" : "s"} up to ${up_to}.`,
});
