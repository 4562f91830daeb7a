import "server-only";

/** Released slots older than this are forgotten once the map grows past `SLOTS_KEPT`. */
const RELEASED_KEPT_MS = 60_000;
const SLOTS_KEPT = 1_000;

/**
 * Per agent, this process's last action on it: "held" while it holds the in-flight slot (the database row says so to
 * every replica), then when it released the slot (Date.now()). The crash watch reads it to tell its own process's
 * actions from crashes without asking the database.
 */
export class InFlightSlots {
  private readonly slots = new Map<string, "held" | number>();

  /** Whether this process is acting on the agent: a stop it sees meanwhile is its own doing. */
  holds(agent: string): boolean {
    return this.slots.get(agent) === "held";
  }

  /** When this process last released the agent's slot (Date.now()); undefined while it holds it or never did lately. */
  releasedAt(agent: string): number | undefined {
    const slot = this.slots.get(agent);
    return typeof slot === "number" ? slot : undefined;
  }

  markHeld(agent: string): void {
    this.slots.set(agent, "held");
  }

  markReleased(agent: string): void {
    const now = Date.now();
    this.slots.set(agent, now);
    if (this.slots.size <= SLOTS_KEPT) return;
    for (const [name, slot] of this.slots) if (slot !== "held" && slot < now - RELEASED_KEPT_MS) this.slots.delete(name);
  }
}
