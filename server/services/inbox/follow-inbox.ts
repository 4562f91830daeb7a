import "server-only";
import { z } from "zod";
import type { ServiceCall } from "../../context";
import type { AgentActor } from "../../contracts/actors";
import { inboxAfter } from "../../db/queries/agent-events";
import { EventQueue } from "../../streams/event-queue";
import type { StreamEvent } from "../../streams/stream-event";
import { INBOX_BATCH, isInboxOf, toAgentEventView } from "./internal/inbox-view";

export const FollowInboxInput = z.object({ after: z.number().int().min(0) });
export type FollowInboxInput = z.infer<typeof FollowInboxInput>;

/**
 * The agent's inbox from `after` on, as it fills; each event carries its id, so a client reconnecting with
 * Last-Event-ID resumes exactly where it stopped and misses nothing.
 */
export function followInbox({ ctx, input }: ServiceCall<FollowInboxInput, AgentActor>): AsyncIterable<StreamEvent> {
  const { after } = FollowInboxInput.parse(input);
  const { agent } = ctx.actor;
  return (async function* () {
    // Each wake-up drains everything after `last`, in order; a burst of notices is one wake-up.
    const wakeUps = new EventQueue<true>(AbortSignal.any([ctx.signal, ctx.shutdownSignal]));
    const mine = isInboxOf(agent);
    const unsubscribe = ctx.events.subscribe((message) => {
      if (mine(message) || message.kind === "resync") wakeUps.push(true);
    });
    let last = after;
    try {
      wakeUps.push(true);
      for await (const _ of wakeUps) {
        for (;;) {
          const rows = await inboxAfter(ctx.db, agent, last, INBOX_BATCH).catch(() => []);
          for (const row of rows) {
            yield { type: row.kind, data: toAgentEventView(row), id: row.id };
            last = row.id;
          }
          if (rows.length < INBOX_BATCH || wakeUps.closed) break;
        }
      }
    } finally {
      unsubscribe();
    }
  })();
}
