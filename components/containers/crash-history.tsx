"use client";

import { useQuery } from "@tanstack/react-query";
import type { CrashDetailView } from "@/server/contracts/containers";
import { apiFetch } from "../queries/api";
import { crashKeys } from "../queries/keys";
import { RelativeTime } from "../ui/relative-time";

const OUTCOME: Record<CrashDetailView["outcome"], string> = {
  restart_scheduled: "restart scheduled",
  restarted_by_engine: "restarted by the engine",
  crash_looping: "crash-looping: automatic restarts stopped",
  left_stopped: "left stopped",
};

/** The agent's crashes with each one's last log lines, fetched when opened. */
export function CrashHistory({ name, version }: { name: string; version: string }) {
  const { data, error, isPending } = useQuery({
    queryKey: crashKeys.list(name, version),
    queryFn: ({ signal }) => apiFetch<{ crashes: CrashDetailView[] }>(`/api/agents/${encodeURIComponent(name)}/crashes`, { signal }),
  });
  if (isPending) return <p className="muted">Loading crash history…</p>;
  if (error) return <p className="form-error">Crash history unavailable: {error.message}</p>;
  return (
    <ol className="crash-list" aria-label={`Crash history of ${name}`}>
      {data.crashes.map((crash) => (
        <li key={crash.id}>
          <details>
            <summary>
              <span className="badge badge-danger">exit {crash.exitCode ?? "?"}</span>
              {crash.oomKilled ? <span className="badge badge-danger">OOM</span> : null} <RelativeTime iso={crash.crashedAt} />{" "}
              <span className="muted">· {OUTCOME[crash.outcome]} · container {crash.containerId.slice(0, 12)}</span>
            </summary>
            <pre className="log-block" aria-label="Last log lines before the crash">
              {crash.lastLines.length
                ? crash.lastLines.map((line) => `${line.timestamp ? `${line.timestamp.slice(11, 23)} ` : ""}${line.stream === "stderr" ? "! " : ""}${line.text}`).join("\n")
                : "(no log lines)"}
            </pre>
          </details>
        </li>
      ))}
    </ol>
  );
}

/** The crash history opened under a table row, spanning the whole row. */
export function CrashHistoryRow({ name, version, colSpan, rowIndex }: { name: string; version: string; colSpan: number; rowIndex?: number }) {
  return (
    <tr className="detail-row" aria-rowindex={rowIndex}>
      <td colSpan={colSpan}>
        <CrashHistory name={name} version={version} />
      </td>
    </tr>
  );
}
