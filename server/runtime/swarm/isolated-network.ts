import "server-only";
import { AGENT_LABEL, MANAGED_BY, MANAGED_BY_LABEL, RuntimeError } from "../types";
import { type EngineClient, engineRequest } from "./engine-client";

/** How long a removal waits for Swarm to detach the agent's last task from its network. */
const DETACH_DEADLINE_MS = 30_000;

/**
 * Swarm services cannot join the "none" network. An agent asked to have no network gets one of its own instead: an
 * internal overlay with nothing else on it (no gateway, no other container), made with its service, removed with it.
 */
export const isolatedNetworkFor = (agent: string) => `hive-isolated-${agent}`;

export async function ensureIsolatedNetwork(manager: EngineClient, agent: string): Promise<void> {
  const name = isolatedNetworkFor(agent);
  try {
    await engineRequest(manager.quick, "GET", `/networks/${name}`);
    return;
  } catch (error) {
    if ((error as RuntimeError).kind !== "not_found") throw error;
  }
  await engineRequest(manager.quick, "POST", "/networks/create", {
    body: { Name: name, Driver: "overlay", Internal: true, Attachable: false, CheckDuplicate: true, Labels: { [AGENT_LABEL]: agent, [MANAGED_BY_LABEL]: MANAGED_BY } },
  });
}

/** Removes the agent's own network, if it has one (waiting out a task Swarm is still taking off it). */
export async function removeIsolatedNetwork(manager: EngineClient, agent: string): Promise<void> {
  const deadline = Date.now() + DETACH_DEADLINE_MS;
  for (;;) {
    try {
      await engineRequest(manager.quick, "DELETE", `/networks/${isolatedNetworkFor(agent)}`);
      return;
    } catch (error) {
      const failure = error as RuntimeError;
      if (failure.kind === "not_found") return;
      if (Date.now() > deadline || (failure.kind !== "conflict" && !/in use|active endpoints/i.test(failure.message))) {
        throw new RuntimeError("engine", `the network of ${agent} could not be removed: ${failure.message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
