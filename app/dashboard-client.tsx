"use client";

import { ContainersPanel } from "@/components/containers/containers-panel";
import { AppHeader } from "@/components/layout/app-header";
import { useDashboardStateQuery } from "@/components/queries/use-dashboard-state-query";
import { ServerClockProvider } from "@/components/ui/server-clock";
import type { DashboardState } from "@/server/contracts/state";

export function DashboardClient({ initialState }: { initialState: DashboardState }) {
  const { data, error } = useDashboardStateQuery(initialState);
  const state = data ?? initialState;
  return (
    <ServerClockProvider serverTime={state.serverTime}>
      <AppHeader runtime={state.runtime} operator={state.operator} authMode={state.authMode} />
      <main className="dashboard">
        {error ? (
          <div className="banner banner-danger" role="alert">
            <strong>Dashboard out of date.</strong> {error.message}. Showing the last state received; retrying every 5 s.
          </div>
        ) : null}
        {state.agentsError ? (
          <div className="banner banner-warn" role="alert">
            The engine answered with an error: {state.agentsError}
          </div>
        ) : null}
        <ContainersPanel agents={state.agents} engineDown={state.runtime.status === "down"} />
      </main>
    </ServerClockProvider>
  );
}
