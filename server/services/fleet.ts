import "server-only";
import type { AgentContainer } from "../runtime/types";

/** The last agent list the engine gave us, for cheap answers (health probe) that must not call the engine. */
export class FleetTracker {
  private active: number | null = null;
  private observedAt: Date | null = null;

  observe(containers: AgentContainer[]): void {
    this.active = containers.filter((container) => container.state === "running").length;
    this.observedAt = new Date();
  }

  snapshot(): { active: number | null; observedAt: string | null } {
    return { active: this.active, observedAt: this.observedAt?.toISOString() ?? null };
  }
}
