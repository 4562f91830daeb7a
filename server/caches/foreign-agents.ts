import "server-only";
import type { ContainerRuntime, ForeignAgent } from "../runtime/types";

const LIST_TTL_MS = 10_000;

/** Other installations' agents on the engine (shown read-only, adoptable), listed at most every 10 s. */
export class ForeignAgentCache {
  private listed: { at: number; value: Promise<ForeignAgent[]> } | undefined;

  constructor(private readonly runtime: ContainerRuntime) {}

  list(): Promise<ForeignAgent[]> {
    if (!this.listed || Date.now() - this.listed.at > LIST_TTL_MS) {
      const value = this.runtime.listForeignAgents();
      this.listed = { at: Date.now(), value };
      value.catch(() => {
        if (this.listed?.value === value) this.listed = undefined;
      });
    }
    return this.listed.value;
  }

  invalidate(): void {
    this.listed = undefined;
  }
}
