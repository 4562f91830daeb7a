"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef } from "react";
import { ActivityFeed } from "@/components/activity/activity-feed";
import { ContainersPanel } from "@/components/containers/containers-panel";
import { AppHeader } from "@/components/layout/app-header";
import { LiveIndicator } from "@/components/layout/live-indicator";
import { ApiError } from "@/components/queries/api";
import { dashboardKeys } from "@/components/queries/keys";
import { useDashboardStateQuery } from "@/components/queries/use-dashboard-state-query";
import { QuestionsPanel } from "@/components/questions/questions-panel";
import { ApprovalsPanel } from "@/components/approvals/approvals-panel";
import { TombstonesPanel } from "@/components/tombstones/tombstones-panel";
import { BrowserNotificationsToggle } from "@/components/notifications/browser-notifications";
import { WebhooksPanel } from "@/components/webhooks/webhooks-panel";
import { useLiveUpdates } from "@/components/queries/use-live-updates";
import { ServerClockProvider } from "@/components/ui/server-clock";
import { ToastProvider } from "@/components/ui/toast";
import type { DashboardState } from "@/server/contracts/state";

/** Refetch at once on a change, then at most every 200 ms while changes keep coming. */
function useThrottledRefresh() {
  const queryClient = useQueryClient();
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  return useCallback(() => {
    const refresh = () => {
      last.current = Date.now();
      void queryClient.invalidateQueries({ queryKey: dashboardKeys.all });
    };
    const wait = 200 - (Date.now() - last.current);
    if (wait <= 0) refresh();
    else if (!timer.current) {
      timer.current = setTimeout(() => {
        timer.current = undefined;
        refresh();
      }, wait);
    }
  }, [queryClient]);
}

export function DashboardClient({ initialState }: { initialState: DashboardState }) {
  const { data, error, dataUpdatedAt } = useDashboardStateQuery(initialState);
  const refresh = useThrottledRefresh();
  const live = useLiveUpdates(refresh);
  const state = data ?? initialState;
  const waiting = state.questions.pending.length + state.approvals.pending.length;
  const waitingAgents = useMemo(() => new Set(state.questions.pending.map((question) => question.agent)), [state.questions.pending]);
  // The tab says when something waits for the operator, even while they look at another window.
  useEffect(() => {
    document.title = waiting > 0 ? `(${waiting}) Hive Dashboard` : "Hive Dashboard";
  }, [waiting]);
  return (
    <ToastProvider>
      <ServerClockProvider serverTime={state.serverTime}>
        <AppHeader
          runtime={state.runtime}
          operator={state.operator}
          authMode={state.authMode}
          live={
            <>
              <BrowserNotificationsToggle questions={state.questions.pending} approvals={state.approvals.pending} />
              <LiveIndicator status={live} stale={Boolean(error)} updatedAt={dataUpdatedAt} />
            </>
          }
        />
        <main className="dashboard">
          {error ? (
            <div className="banner banner-danger" role="alert">
              {error instanceof ApiError && error.code === "database_unavailable" ? (
                <>
                  <strong>Database unavailable.</strong> Nothing can be read or changed until it is back; actions are refused
                  meanwhile. Showing the last state received; retrying every few seconds.
                </>
              ) : (
                <>
                  <strong>Not up to date.</strong> {error.message}. Showing the last state received; retrying every few seconds.
                </>
              )}
            </div>
          ) : null}
          {state.containersError ? (
            <div className="banner banner-warn" role="alert">
              The engine answered with an error: {state.containersError}
            </div>
          ) : null}
          <QuestionsPanel pending={state.questions.pending} recent={state.questions.recent} />
          <ApprovalsPanel pending={state.approvals.pending} recent={state.approvals.recent} />
          <ContainersPanel containers={state.containers} spawning={state.spawning} nodes={state.nodes} engineDown={state.runtime.status !== "up"} waitingAgents={waitingAgents} />
          <TombstonesPanel tombstones={state.tombstones} />
          <ActivityFeed activity={state.activity} />
          <WebhooksPanel />
        </main>
      </ServerClockProvider>
    </ToastProvider>
  );
}
