"use client";

import type { ActivityView } from "@/server/contracts/state";
import { RelativeTime } from "../ui/relative-time";

function describe(event: ActivityView): string {
  const detail = event.detail;
  switch (event.kind) {
    case "action_failed":
      return `${String(detail.action)} failed: ${String(detail.error ?? "")}`;
    case "container_crash":
      return `crashed (exit ${detail.exitCode ?? "?"}${detail.oomKilled ? ", OOM" : ""})${
        detail.restartInMs != null ? `; restart in ${Math.round(Number(detail.restartInMs) / 1000)}s` : ""
      }`;
    case "crash_loop":
      return `crash-looping (${String(detail.crashesInWindow)} crashes in 10 min): automatic restarts stopped`;
    case "agent_recovered":
      return "restarted after a crash";
    case "agent_reconciled":
      return `started: desired state is running (was ${String(detail.from)})`;
    case "agent_spawned":
      return `spawned from ${String(detail.image)}${detail.revived ? " (kept state volume)" : ""}`;
    case "agent_moved":
      return `moved from node ${String(detail.from)} to ${String(detail.to)} with its state`;
    case "agent_destroyed":
      return "destroyed; state volume kept";
    case "agent_purged":
      return "purged";
    case "transient_reclaimed":
      return `${String(detail.action)} by ${String(detail.startedBy)} abandoned by a stopped dashboard process; cleared`;
    case "transient_cleared":
      return `stuck ${String(detail.action)} cleared`;
    default:
      return event.kind.replaceAll("_", " ");
  }
}

const tone = (kind: string) => (kind === "container_crash" || kind === "crash_loop" || kind === "action_failed" ? "danger" : "");

/** What happened lately, newest first: crashes, recoveries, operators' actions. */
export function ActivityFeed({ activity }: { activity: ActivityView[] }) {
  return (
    <section className="section" aria-labelledby="activity-heading">
      <details className="collapsible">
        <summary className="section-header">
          <h2 id="activity-heading">Activity</h2>
          <span className="count">{activity.length}</span>
        </summary>
        {activity.length === 0 ? (
          <div className="empty-state">Nothing has happened yet.</div>
        ) : (
          <ul className="activity" aria-label="Recent activity">
            {activity.map((event) => (
              <li key={event.id} className={tone(event.kind)}>
                <RelativeTime iso={event.at} />
                <span className="agent-name">{event.agent ?? "—"}</span>
                <span>{describe(event)}</span>
                <span className="muted">{event.actor}</span>
              </li>
            ))}
          </ul>
        )}
      </details>
    </section>
  );
}
