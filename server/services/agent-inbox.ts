import "server-only";
import type { HiveApp } from "../app";
import type { AgentEventView } from "../contracts/questions";
import { acknowledge, type AgentEventRow, enqueueAgentEvent, inboxAfter } from "../db/queries/agent-events";
import { publishEvent } from "../db/queries/events";
import type { AgentActor } from "../http/auth";
import { openSseStream } from "../http/sse";

const BATCH = 100;

export const toAgentEventView = (row: AgentEventRow): AgentEventView => ({
  id: row.id,
  kind: row.kind,
  payload: row.payload,
  created_at: row.createdAt.toISOString(),
});

const isMine = (agent: string) => (message: { kind: string; agent: string | null }) => message.kind === "inbox" && message.agent === agent;

/** Long poll: the events after `after`, waiting up to `waitSeconds` for the first one to arrive. */
export async function readInbox({
  app,
  actor,
  after,
  waitSeconds,
  signal,
}: {
  app: HiveApp;
  actor: AgentActor;
  after: number;
  waitSeconds: number;
  signal: AbortSignal;
}): Promise<{ events: AgentEventView[]; next: number }> {
  const deadline = Date.now() + waitSeconds * 1000;
  const stop = AbortSignal.any([signal, app.shutdownSignal]);
  let rows = await inboxAfter(app.database.db, actor.agent, after, BATCH);
  while (rows.length === 0 && Date.now() < deadline && !stop.aborted) {
    await app.events.waitFor(isMine(actor.agent), deadline - Date.now(), stop);
    rows = await inboxAfter(app.database.db, actor.agent, after, BATCH);
  }
  return { events: rows.map(toAgentEventView), next: rows.at(-1)?.id ?? after };
}

export async function acknowledgeInbox({ app, actor, upTo }: { app: HiveApp; actor: AgentActor; upTo: number }) {
  const acknowledged = await acknowledge(app.database.db, actor.agent, upTo);
  if (acknowledged > 0) {
    await publishEvent(app.database.db, { kind: "inbox_acknowledged", agent: actor.agent, actor: `agent:${actor.agent}`, detail: { upTo, count: acknowledged } });
  }
  return { acknowledged, up_to: upTo };
}

/**
 * SSE stream of the agent's inbox from `after` on; each event carries its id, so a client reconnecting with
 * Last-Event-ID resumes exactly where it stopped and misses nothing.
 */
export function openInboxStream({ app, actor, after, signal }: { app: HiveApp; actor: AgentActor; after: number; signal: AbortSignal }): Response {
  return openSseStream({ app, signal }, (channel) => {
    let last = after;
    let pumping: Promise<void> = Promise.resolve();
    // Drains everything after `last`, in order; serialised so a burst of notices cannot reorder or repeat.
    const pump = () => {
      pumping = pumping.then(async () => {
        for (;;) {
          if (channel.closed) return;
          const rows = await inboxAfter(app.database.db, actor.agent, last, BATCH).catch(() => []);
          for (const row of rows) {
            channel.event(row.kind, toAgentEventView(row), row.id);
            last = row.id;
          }
          if (rows.length < BATCH) return;
        }
      });
    };
    const unsubscribe = app.events.subscribe((message) => {
      if (isMine(actor.agent)(message) || message.kind === "resync") pump();
    });
    pump();
    return { onClose: unsubscribe };
  });
}

/** A "you were (re)started" note in the agent's inbox, so its next turn knows what happened and when. */
export async function notifyAgentStarted(app: HiveApp, agent: string, action: "started" | "restarted" | "rebuilt" | "recovered", actor: string) {
  const at = new Date().toISOString();
  const text =
    action === "recovered"
      ? `You were restarted at ${at} after a crash. Your state volume (/state) is intact.`
      : `You were ${action} at ${at} by ${actor}. Your state volume (/state) is intact.`;
  await enqueueAgentEvent(app.database.db, { agent, kind: "system", payload: { message: text, action, at, by: actor } }).catch((error: Error) =>
    app.logger.warn({ agent, err: error.message }, "could not put the start notice in the agent's inbox"),
  );
}
