import type { ActivityView } from "../contracts/state";

export type EventRecord = { id: number; at: Date; kind: string; agent: string | null; actor: string; detail: Record<string, unknown> };

// Per-action bookkeeping events (started/finished) drive live refreshes; the feed shows outcomes only.
const HIDDEN_KINDS = new Set(["action_started", "action_finished", "inbox_acknowledged"]);

export function buildActivityViews(events: EventRecord[], limit: number): ActivityView[] {
  return events
    .filter((event) => !HIDDEN_KINDS.has(event.kind))
    .slice(0, limit)
    .map((event) => ({ id: event.id, at: event.at.toISOString(), kind: event.kind, agent: event.agent, actor: event.actor, detail: event.detail }));
}
