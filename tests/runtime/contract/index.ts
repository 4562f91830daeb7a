import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe } from "vitest";
import type { ContainerRuntime } from "@/server/runtime/types";
import type { DriverFactory } from "./driver-factory";
import { eventsContract } from "./events";
import { lifecycleContract } from "./lifecycle";
import { logsContract } from "./logs";
import { outageContract } from "./outage";

export type { DriverFactory } from "./driver-factory";

/** What every part of the suite is handed: the driver under test, a name prefix of its own, the image. */
export type ContractContext = { runtime: () => ContainerRuntime; factory: DriverFactory; name: (suffix: string) => string };

/**
 * The runtime contract: what every engine driver must do, checked against the real engine. A driver's test file is a
 * few lines handing this a factory (tests/runtime/docker.test.ts). Nothing here knows an engine: no container ids kept
 * across restarts, no engine's wording, and waits for the engine's word instead of timing it.
 */
export function runtimeContract(factory: DriverFactory): void {
  describe(`runtime contract: ${factory.name}`, () => {
    const prefix = `rc${randomBytes(3).toString("hex")}`;
    let runtime: ContainerRuntime | undefined;
    const context: ContractContext = {
      runtime: () => runtime!,
      factory,
      name: (suffix) => `${prefix}-${suffix}`,
    };
    beforeAll(async () => {
      runtime = await factory.create();
      await runtime.ping();
    });
    afterAll(async () => {
      await factory.cleanup(prefix);
    });
    lifecycleContract(context);
    logsContract(context);
    eventsContract(context);
    outageContract(context);
  });
}
