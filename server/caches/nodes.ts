import "server-only";
import type { ContainerRuntime, RuntimeNode } from "../runtime/types";

const LIST_TTL_MS = 5_000;

/** The engine's nodes for the nodes strip, asked at most every 5 s (the page polls more often than nodes change). */
export class NodeCache {
  private listed: { at: number; value: Promise<RuntimeNode[]> } | undefined;

  constructor(private readonly runtime: ContainerRuntime) {}

  list(): Promise<RuntimeNode[]> {
    if (!this.listed || Date.now() - this.listed.at > LIST_TTL_MS) {
      const value = this.runtime.listNodes();
      this.listed = { at: Date.now(), value };
      value.catch(() => {
        if (this.listed?.value === value) this.listed = undefined;
      });
    }
    return this.listed.value;
  }
}
