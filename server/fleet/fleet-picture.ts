import "server-only";
import type { AgentContainer } from "../runtime/types";

/** An agent that was up and no longer is, as seen by the events stream or a reconcile poll. */
export type StopTransition = {
  agent: string;
  containerId: string;
  diedAt: Date;
  via: "event" | "poll";
  /** The agent as it stopped: from its exit event (exit code, OOM) for events, as listed for polls. */
  container: AgentContainer;
};

/** What services and workers read of the live picture of the agents; the fleet watcher keeps it current. */
export interface FleetPicture {
  /** Agents as last observed, when that picture is current; null when the engine must be asked. */
  current(): AgentContainer[] | null;
  /** Running agents as last observed (for the health probe; null before the first list). */
  activeCount(): number | null;
  /** A list fetched elsewhere refreshes the picture too (without transitions: the poll judges those). */
  absorb(containers: AgentContainer[]): void;
  /** A caller that looked at one agent (after an action) updates the picture; `lookedAt` is when its look began. */
  update(name: string, container: AgentContainer | null, lookedAt?: number): void;
  /** The agent as a look begun at or after `since` saw it, once it shows what `expected` accepts; undefined after `waitMs`. */
  lookSince(agent: string, since: number, expected: (container: AgentContainer) => boolean, waitMs: number): Promise<AgentContainer | undefined>;
  /** Each exit of an agent that was up, announced once however many times it is seen. */
  onStop(listener: (transition: StopTransition) => void): () => void;
  /** After each full re-seed (start, engine back): nothing in between was observed. */
  onReseed(listener: () => void): () => void;
  /** Whether later looks have moved on from the agent's death at `at` (gone, replaced or up again). */
  movedOnFrom(agent: string, containerId: string, at: Date): boolean;
}
