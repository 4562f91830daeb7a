import "server-only";
import type { RuntimeDriver } from "../driver";
import { SwarmEnv, type SwarmSettings, swarmSettings } from "./settings";

/** Docker Swarm through a manager's Engine API: every agent a service of 0 or 1 replica, on any node. */
export const swarmDriver: RuntimeDriver<SwarmSettings> = {
  label: "Docker Swarm",
  env: SwarmEnv,
  settings: swarmSettings,
  async create(settings, common) {
    const { SwarmRuntime } = await import("./driver");
    return new SwarmRuntime({ ...settings, ...common });
  },
};
