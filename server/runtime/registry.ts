import "server-only";
import { dockerDriver } from "./docker";

/** Every engine driver, by its HIVE_RUNTIME name. A new engine is a new folder and one line here. */
export const RUNTIME_DRIVERS = {
  docker: dockerDriver,
};

export type RuntimeName = keyof typeof RUNTIME_DRIVERS;
export const RUNTIME_NAMES = Object.keys(RUNTIME_DRIVERS) as [RuntimeName, ...RuntimeName[]];
