import "server-only";
import type { Database } from "../db/client";
import { type AgentRow, listAgentRows } from "../db/queries/agents";
import { type CrashSummary, crashSummaries } from "../db/queries/crashes";
import { type EventRow, recentEvents } from "../db/queries/events";
import { type ApprovalRow, listPendingApprovals, listRecentDecided } from "../db/queries/approvals";
import { listPendingQuestions, listRecentResolved, type QuestionRow, receiptsFor } from "../db/queries/questions";
import { listTransients, type TransientRow } from "../db/queries/transients";
import type { EventHub } from "../events/event-hub";

export type DbSnapshot = {
  agents: AgentRow[];
  transients: TransientRow[];
  crashes: CrashSummary[];
  events: EventRow[];
  pendingQuestions: QuestionRow[];
  resolvedQuestions: QuestionRow[];
  receipts: Map<string, Date | null>;
  pendingApprovals: ApprovalRow[];
  decidedApprovals: ApprovalRow[];
  loadedAt: Date;
};

type SnapshotEntry = { value: Promise<DbSnapshot>; at: number; generation: number; loaded: boolean };

const SAFETY_TTL_MS = 5_000;
const RECENT_QUESTIONS = 25;
const RECENT_APPROVALS = 20;
const CRASH_WINDOW_MS = 10 * 60_000;

/**
 * The database half of the dashboard state, kept in memory between changes. Every write that matters
 * publishes an event, and every replica hears every event (LISTEN/NOTIFY), which invalidates this copy; a
 * short TTL bounds the staleness of anything that slipped through. Past the TTL, with no change announced, the copy
 * is still answered (for at most another TTL) while a fresh one loads, so no request waits for that reload.
 */
export class StateSnapshotCache {
  private current: SnapshotEntry | undefined;
  private generation = 0;
  private refreshing = false;

  constructor(
    private readonly db: Database,
    events: EventHub,
  ) {
    events.subscribe(() => this.invalidate());
  }

  invalidate(): void {
    this.generation++;
    this.current = undefined;
  }

  get(): Promise<DbSnapshot> {
    const current = this.current;
    if (current && current.generation === this.generation) {
      const age = Date.now() - current.at;
      if (age < SAFETY_TTL_MS) return current.value;
      if (age < 2 * SAFETY_TTL_MS && current.loaded) {
        this.refresh();
        return current.value;
      }
    }
    return this.reload().value;
  }

  private reload(): SnapshotEntry {
    const entry = this.startLoad();
    this.current = entry;
    entry.value.catch(() => {
      if (this.current === entry) this.current = undefined;
    });
    return entry;
  }

  /** A fresh copy in the background; it replaces the current one only if nothing was announced meanwhile. */
  private refresh(): void {
    if (this.refreshing) return;
    this.refreshing = true;
    const previous = this.current;
    const entry = this.startLoad();
    entry.value
      .then(
        () => {
          if (this.current === previous) this.current = entry;
        },
        () => {
          // A failed reload (the database is down): the next request loads itself and answers the failure.
          if (this.current === previous) this.current = undefined;
        },
      )
      .finally(() => (this.refreshing = false));
  }

  private startLoad(): SnapshotEntry {
    const entry: SnapshotEntry = { value: this.load(), at: Date.now(), generation: this.generation, loaded: false };
    entry.value.then(
      () => (entry.loaded = true),
      () => undefined,
    );
    return entry;
  }

  private async load(): Promise<DbSnapshot> {
    const now = new Date();
    const [agents, transients, crashes, events, pendingQuestions, resolvedQuestions, pendingApprovals, decidedApprovals] = await Promise.all([
      listAgentRows(this.db),
      listTransients(this.db),
      crashSummaries(this.db, new Date(now.getTime() - CRASH_WINDOW_MS)),
      recentEvents(this.db, 80),
      listPendingQuestions(this.db),
      listRecentResolved(this.db, RECENT_QUESTIONS),
      listPendingApprovals(this.db),
      listRecentDecided(this.db, RECENT_APPROVALS),
    ]);
    const receipts = await receiptsFor(this.db, resolvedQuestions.map((row) => row.id));
    return { agents, transients, crashes, events, pendingQuestions, resolvedQuestions, receipts, pendingApprovals, decidedApprovals, loadedAt: now };
  }
}
