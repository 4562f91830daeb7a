import "server-only";
import { z } from "zod";
import type { ServiceCall } from "../../context";
import type { AgentActor } from "../../contracts/actors";
import type { AgentEventView } from "../../contracts/questions";
import { inboxAfter } from "../../db/queries/agent-events";
import { INBOX_BATCH, isInboxOf, toAgentEventView } from "./internal/inbox-view";

export const ReadInboxInput = z.object({ after: z.number().int().min(0), waitSeconds: z.number().min(0).max(180) });
export type ReadInboxInput = z.infer<typeof ReadInboxInput>;

/** Long poll: the events after `after`, waiting up to `waitSeconds` for the first one to arrive. */
export async function readInbox({ ctx, input }: ServiceCall<ReadInboxInput, AgentActor>): Promise<{ events: AgentEventView[]; next: number }> {
  const { after, waitSeconds } = ReadInboxInput.parse(input);
  const { agent } = ctx.actor;
  const deadline = Date.now() + waitSeconds * 1000;
  const stop = AbortSignal.any([ctx.signal, ctx.shutdownSignal]);
  let rows = await inboxAfter(ctx.db, agent, after, INBOX_BATCH);
  while (rows.length === 0 && Date.now() < deadline && !stop.aborted) {
    await ctx.events.waitFor(isInboxOf(agent), deadline - Date.now(), stop);
    rows = await inboxAfter(ctx.db, agent, after, INBOX_BATCH);
  }
  return { events: rows.map(toAgentEventView), next: rows.at(-1)?.id ?? after };
}
