/** One agent's outcome in a bulk action; `error` holds the reason the server gave. */
export type BulkOutcome = { name: string; error: { code: string; message: string } | null };

/**
 * Runs `work` for every name, at most `concurrency` at once, each on its own: one failure (a 409 from an agent whose
 * slot is taken) is recorded and the rest go on. `onSettled` hears each outcome as it comes.
 */
export async function runBulk(
  names: readonly string[],
  concurrency: number,
  work: (name: string) => Promise<unknown>,
  onSettled: (outcome: BulkOutcome) => void,
): Promise<BulkOutcome[]> {
  const outcomes: BulkOutcome[] = [];
  let next = 0;
  const lane = async () => {
    while (next < names.length) {
      const name = names[next++]!;
      let outcome: BulkOutcome;
      try {
        await work(name);
        outcome = { name, error: null };
      } catch (error) {
        const { code, message } = error as { code?: unknown; message?: unknown };
        outcome = { name, error: { code: typeof code === "string" ? code : "error", message: typeof message === "string" ? message : String(error) } };
      }
      outcomes.push(outcome);
      onSettled(outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, names.length)) }, lane));
  return outcomes;
}

export type BulkAction = "start" | "stop" | "restart" | "destroy";

export type BulkProgress = {
  action: BulkAction;
  total: number;
  settled: number;
  failures: BulkOutcome[];
  finished: boolean;
};

export const BULK_VERB: Record<BulkAction, { doing: string; done: string; label: string }> = {
  start: { doing: "starting", done: "started", label: "Start" },
  stop: { doing: "stopping", done: "stopped", label: "Stop" },
  restart: { doing: "restarting", done: "restarted", label: "Restart" },
  destroy: { doing: "destroying", done: "destroyed", label: "Destroy" },
};

/** While it runs: `restarting 37/120 · 2 failed`. */
export const progressLine = (progress: BulkProgress) =>
  `${BULK_VERB[progress.action].doing} ${progress.settled}/${progress.total}${progress.failures.length ? ` · ${progress.failures.length} failed` : ""}`;

/** Once it ended: `restarted 118 of 120 · 2 failed`. */
export const summaryLine = (progress: BulkProgress) =>
  `${BULK_VERB[progress.action].done} ${progress.total - progress.failures.length} of ${progress.total}${progress.failures.length ? ` · ${progress.failures.length} failed` : ""}`;
