import type { ContainerRuntime, LogLine, RuntimeEvent } from "@/server/runtime/types";
import { eventually } from "../../helpers/docker";

export { eventually };

/** Every line of the agent's log (both streams), oldest first. */
export async function allLines(runtime: ContainerRuntime, name: string): Promise<LogLine[]> {
  return runtime.logs(name, { tail: "all", timestamps: true, stdout: true, stderr: true });
}

/** Waits until the agent's log shows a line with this text; answers the log then. */
export async function waitForLine(runtime: ContainerRuntime, name: string, text: string, timeoutMs = 30_000): Promise<LogLine[]> {
  return eventually(async () => {
    const lines = await allLines(runtime, name);
    return lines.some((line) => line.text === text) ? lines : null;
  }, `"${text}" in the log of ${name}`, timeoutMs);
}

/** The test agent's tick lines ("[name] line N") as their numbers, in order. */
export const tickNumbers = (lines: readonly { text: string }[]) =>
  lines.map((line) => /\] line (\d+)$/.exec(line.text)?.[1]).filter((n): n is string => n !== undefined).map(Number);

/** The agent's events from now on, gathered until `stop()`; `until` waits for one that matches. */
export function recordEvents(runtime: ContainerRuntime, agent: string) {
  const controller = new AbortController();
  const seen: RuntimeEvent[] = [];
  const waiters = new Set<() => void>();
  let failure: unknown;
  const reading = (async () => {
    try {
      for await (const event of runtime.events(controller.signal)) {
        if (event.agent !== agent) continue;
        seen.push(event);
        for (const wake of waiters) wake();
      }
    } catch (error) {
      if (!controller.signal.aborted) failure = error;
    }
  })();
  return {
    seen,
    failure: () => failure,
    until: (predicate: (events: RuntimeEvent[]) => boolean, description: string, timeoutMs = 60_000) =>
      eventually(async () => (predicate(seen) ? seen : null), description, timeoutMs),
    stop: async () => {
      controller.abort();
      await reading;
    },
  };
}
