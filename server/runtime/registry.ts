import "server-only";
import { dockerDriver } from "./docker";
import type { RuntimeDriver } from "./driver";
import type { ContainerRuntime, RuntimeCommon } from "./types";
import { swarmDriver } from "./swarm";

/** Every engine driver, by its HIVE_RUNTIME name. A new engine is a new folder and one line here. */
export const RUNTIME_DRIVERS = {
  docker: dockerDriver,
  swarm: swarmDriver,
};

export type RuntimeName = keyof typeof RUNTIME_DRIVERS;
export const RUNTIME_NAMES = Object.keys(RUNTIME_DRIVERS) as [RuntimeName, ...RuntimeName[]];

/** Makes the chosen driver from the settings its own schema made (the pairing of name and settings is the config's). */
export function createRuntime(choice: { name: RuntimeName; settings: unknown }, common: RuntimeCommon): Promise<ContainerRuntime> {
  return (RUNTIME_DRIVERS[choice.name] as RuntimeDriver<unknown>).create(choice.settings, common);
}
