"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useRef, useState } from "react";
import { apiFetch } from "../../queries/api";
import { dashboardKeys } from "../../queries/keys";
import { agentActionRequest } from "../../queries/use-agent-action-mutation";
import { type BulkAction, type BulkProgress, runBulk } from "./bulk-run";

export type { BulkAction, BulkProgress };
export const BULK_ACTIONS: BulkAction[] = ["start", "stop", "restart", "destroy"];

/**
 * How many of one bulk action's requests run at once. The browser's own limit is 6 connections to the dashboard, and
 * the event stream and the state poll hold two: four leave the page live while the engine works through the rest.
 */
export const BULK_CONCURRENCY = 4;

/**
 * A lifecycle action on many agents, each through its own route (its own in-flight slot, audit row and answer):
 * a 409 on one is listed and the others go on.
 */
export function useBulkAction() {
  const queryClient = useQueryClient();
  const [progress, setProgress] = useState<BulkProgress | null>(null);
  const running = useRef(false);

  const run = useCallback(
    async (action: BulkAction, names: readonly string[]) => {
      if (running.current || names.length === 0) return;
      running.current = true;
      setProgress({ action, total: names.length, settled: 0, failures: [], finished: false });
      let lastRefresh = 0;
      try {
        await runBulk(
          names,
          BULK_CONCURRENCY,
          (name) => {
            const { path, method } = agentActionRequest(action, name);
            return apiFetch(path, { method, body: method === "POST" ? {} : undefined });
          },
          (outcome) => {
            setProgress((current) =>
              current && { ...current, settled: current.settled + 1, failures: outcome.error ? [...current.failures, outcome] : current.failures },
            );
            // The pills and states follow as the actions land, at most once a second.
            if (Date.now() - lastRefresh > 1000) {
              lastRefresh = Date.now();
              void queryClient.invalidateQueries({ queryKey: dashboardKeys.all });
            }
          },
        );
      } finally {
        running.current = false;
        setProgress((current) => current && { ...current, finished: true });
        void queryClient.invalidateQueries({ queryKey: dashboardKeys.all });
      }
    },
    [queryClient],
  );

  const dismiss = useCallback(() => setProgress((current) => (current?.finished ? null : current)), []);
  return { progress, run, dismiss };
}
