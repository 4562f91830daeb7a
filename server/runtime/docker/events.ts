import "server-only";
import { AGENT_LABEL, type RuntimeEvent } from "../types";
import type { EngineEvent } from "./engine-schemas";

/** Actions after which a container may look different: the reader looks again. ("kill" only sends a signal.) */
const CHANGES = new Set(["create", "restart", "stop", "pause", "unpause", "rename", "update"]);

/**
 * Turns the engine's container events into the neutral ones, in order. Docker tells of an out-of-memory kill in an
 * "oom" event before the "die": the two become one run-exited event with `oomKilled`.
 */
export class EventTranslator {
  /** Containers whose current run had an out-of-memory kill. */
  private readonly oomKilled = new Set<string>();

  translate(event: EngineEvent): RuntimeEvent | null {
    if (event.Type !== "container") return null;
    const agent = event.Actor.Attributes[AGENT_LABEL];
    if (!agent) return null;
    const action = event.Action.split(":")[0] ?? event.Action;
    const containerId = event.Actor.ID;
    const at = new Date(event.timeNano === undefined ? event.time * 1000 : Math.floor(event.timeNano / 1e6)).toISOString();
    switch (action) {
      case "oom":
        this.oomKilled.add(containerId);
        return null;
      case "start":
        this.oomKilled.delete(containerId);
        return { type: "run-started", agent, containerId, runId: null, at };
      case "die": {
        const exit = event.Actor.Attributes.exitCode;
        const exitCode = exit !== undefined && /^\d+$/.test(exit) ? Number(exit) : null;
        return { type: "run-exited", agent, containerId, runId: null, at, exitCode, oomKilled: this.oomKilled.delete(containerId) };
      }
      case "destroy":
        this.oomKilled.delete(containerId);
        return { type: "agent-removed", agent, containerId, at };
      default:
        return CHANGES.has(action) ? { type: "agent-changed", agent, containerId, at } : null;
    }
  }
}
