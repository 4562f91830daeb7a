"use client";

import { type ReactNode, useState } from "react";
import type { ContainerView } from "@/server/contracts/containers";
import { JournalRow } from "../journal/journal-row";
import { crashVersion } from "../queries/keys";
import type { AgentAction } from "../queries/use-agent-action-mutation";
import type { ConfirmRequest } from "../ui/confirm-dialog";
import { formatCountdown, shortImage } from "../ui/format";
import { CrossIcon } from "../ui/icons";
import { RelativeTime } from "../ui/relative-time";
import { useServerNow } from "../ui/server-clock";
import { UptimeStripRow, UptimeToggle } from "../uptime/uptime-strip";
import { CrashHistoryRow } from "./crash-history";
import { NodeCell } from "./node-cell";
import { PendingPill } from "./pending-pill";

const STATE_TONE: Record<ContainerView["state"], string> = {
  running: "pill-ok",
  created: "pill-muted",
  starting: "pill-info",
  paused: "pill-warn",
  stopping: "pill-info",
  removing: "pill-muted",
  exited: "pill-muted",
  unreachable: "pill-warn",
};

const isUp = (state: ContainerView["state"]) => state === "running" || state === "starting";

function stateLabel(agent: ContainerView): string {
  if (agent.state === "exited" && agent.exitCode !== null) return `exited (${agent.exitCode})`;
  if (agent.state === "unreachable") return "node unreachable";
  return agent.state;
}

export function confirmationFor(action: "kill" | "destroy" | "purge", name: string, run: () => void): ConfirmRequest {
  const volume = <span className="mono">hive-state-{name}</span>;
  if (action === "kill") {
    return {
      title: `Kill ${name}?`,
      body: (
        <p>
          The container is stopped at once with SIGKILL: whatever the agent is doing is cut off and unsaved work in memory is lost. Its state
          volume {volume} is kept, and its desired state becomes <strong>stopped</strong>, so it is not restarted automatically.
        </p>
      ),
      confirmLabel: `Kill ${name}`,
      tone: "danger",
      onConfirm: run,
    };
  }
  if (action === "destroy") {
    return {
      title: `Destroy ${name}?`,
      body: (
        <p>
          The container is removed (a running agent is killed first) and its logs go with it. The state volume {volume} and the stored config are
          kept as a tombstone you can revive or purge later. Crash history is kept.
        </p>
      ),
      confirmLabel: `Destroy ${name}`,
      tone: "danger",
      onConfirm: run,
    };
  }
  return {
    title: `Destroy and purge ${name}?`,
    body: (
      <p>
        Everything of this agent is deleted for good: the container and its logs, the state volume {volume} with every file the agent kept, its
        stored config and its tokens. This cannot be undone. (Crash history is kept.)
      </p>
    ),
    confirmLabel: `Purge ${name}`,
    tone: "danger",
    typeToConfirm: name,
    onConfirm: run,
  };
}

/** The fleet table's additions to a row, each optional: the row stands alone without them. */
export type AgentRowTableSlots = {
  colSpan: number;
  /** aria-rowindex of the agent's first row (the table is virtualised: screen readers learn where they are). */
  firstRowIndex?: number;
  className?: string;
  onFocus?: () => void;
  /** Cells before the agent's name (the selection checkbox) and before the crashes (resource use). */
  leading?: ReactNode;
  beforeCrashes?: ReactNode;
  crashesOpen?: boolean;
  onCrashesOpenChange?: (open: boolean) => void;
  logsOpen?: boolean;
  onLogsOpenChange?: (open: boolean) => void;
};

/** One row action; its accessible name says which agent it acts on ("Restart alpha"). */
function ActionButton({ label, name, danger = false, disabled, onClick }: { label: string; name: string; danger?: boolean; disabled: boolean; onClick: () => void }) {
  return (
    <button type="button" className={danger ? "btn-xs danger" : "btn-xs"} disabled={disabled} onClick={onClick} aria-label={`${label} ${name}`}>
      {label}
    </button>
  );
}

/** One agent container: identity and state, in-flight pill, desired-vs-observed, crashes, actions. */
export function AgentRow({
  agent,
  onAction,
  onConfirm,
  busy,
  table,
}: {
  agent: ContainerView;
  onAction: (action: AgentAction, name: string) => void;
  onConfirm: (request: ConfirmRequest) => void;
  busy: boolean;
  /** What the fleet table adds around the row (selection, resource cells, row indexes, open blocks it keeps). */
  table?: AgentRowTableSlots;
}) {
  const [showCrashesState, setShowCrashesState] = useState(false);
  const showCrashes = table?.crashesOpen ?? showCrashesState;
  const setShowCrashes = (toggle: (open: boolean) => boolean) =>
    table?.onCrashesOpenChange ? table.onCrashesOpenChange(toggle(showCrashes)) : setShowCrashesState(toggle);
  const [showUptime, setShowUptime] = useState(false);
  const colSpan = table?.colSpan ?? 7;
  const rowIndex = table?.firstRowIndex;
  // The uptime strip, when open, is the first row under the agent's: the rows after it move down one.
  const afterUptime = rowIndex && rowIndex + (showUptime ? 1 : 0);
  const now = useServerNow();
  const pending = agent.pending !== null && !agent.pending.stuck;
  const disabled = pending || busy;
  const up = isUp(agent.state);
  const act = (action: AgentAction) => () => onAction(action, agent.name);
  const confirm = (action: "kill" | "destroy" | "purge") => () => onConfirm(confirmationFor(action, agent.name, act(action)));
  const restartIn = agent.nextRestartAt ? Date.parse(agent.nextRestartAt) - now : null;

  return (
    <>
      <tr
        aria-label={`Agent ${agent.name}`}
        className={[pending ? "row-pending" : "", table?.className ?? ""].join(" ").trim() || undefined}
        aria-busy={pending || undefined}
        aria-rowindex={rowIndex}
        data-agent={agent.name}
        tabIndex={table ? -1 : undefined}
        onFocus={table?.onFocus}
      >
        {table?.leading}
        <th scope="row" className="agent-cell">
          <span className="agent-name">{agent.name}</span>
          {agent.role === "manager" ? <span className="badge">manager</span> : null}
          {agent.pending ? <PendingPill pending={agent.pending} onClear={act("clear")} /> : null}
        </th>
        <td>
          <div className="state-cell">
            <span className={`pill ${STATE_TONE[agent.state]}`}>{stateLabel(agent)}</span>
            {agent.oomKilled ? <span className="badge badge-danger">OOM</span> : null}
            {agent.crashLoopingSince ? (
              <span className="badge badge-danger" title={`since ${new Date(agent.crashLoopingSince).toLocaleString()}`}>
                crash-looping
              </span>
            ) : null}
            {agent.drift && agent.desiredState ? (
              <span className="badge badge-warn" title={`set by ${agent.desiredChangedBy}`}>
                desired: {agent.desiredState}
              </span>
            ) : null}
            {restartIn !== null && !agent.crashLoopingSince && !up ? (
              <span className="badge" title={restartIn > 0 ? undefined : "the recovery restarts crashed agents a few at a time; this one is in line"}>
                {restartIn > 0 ? `restart in ${formatCountdown(restartIn)}` : "restart due"}
              </span>
            ) : null}
          </div>
        </td>
        <NodeCell agent={agent} disabled={disabled} />
        <td className="mono" title={agent.image}>
          {shortImage(agent.image)}
        </td>
        <td className="nowrap">
          {up ? (
            <>
              up <RelativeTime iso={agent.startedAt} suffix="" />
            </>
          ) : agent.finishedAt ? (
            <span className="muted">
              stopped <RelativeTime iso={agent.finishedAt} />
            </span>
          ) : (
            <span className="muted">{agent.state === "created" ? "never started" : "—"}</span>
          )}{" "}
          <UptimeToggle name={agent.name} open={showUptime} onToggle={() => setShowUptime((open) => !open)} />
        </td>
        {table?.beforeCrashes}
        <td>
          {agent.crashes.total > 0 ? (
            <button
              type="button"
              className={`btn-xs crash-toggle${agent.crashes.recent > 0 ? " recent" : ""}`}
              aria-expanded={showCrashes}
              aria-label={`Crash history of ${agent.name}: ${agent.crashes.total} crash${agent.crashes.total === 1 ? "" : "es"}`}
              onClick={() => setShowCrashes((open) => !open)}
            >
              <CrossIcon /> {agent.crashes.total}
              {agent.crashes.last ? (
                <span className="muted">
                  {" "}
                  exit {agent.crashes.last.exitCode ?? "?"} · <RelativeTime iso={agent.crashes.last.crashedAt} />
                </span>
              ) : null}
            </button>
          ) : (
            <span className="muted">—</span>
          )}
        </td>
        <td>
          <div className="actions" role="group" aria-label={`Actions for ${agent.name}`}>
            {up ? <ActionButton label="Stop" name={agent.name} disabled={disabled} onClick={act("stop")} /> : <ActionButton label="Start" name={agent.name} disabled={disabled} onClick={act("start")} />}
            <ActionButton label="Restart" name={agent.name} disabled={disabled} onClick={act("restart")} />
            <ActionButton label="Rebuild" name={agent.name} disabled={disabled} onClick={act("rebuild")} />
            <ActionButton label="Kill" name={agent.name} danger disabled={disabled || !up} onClick={confirm("kill")} />
            <ActionButton label="Destroy" name={agent.name} danger disabled={disabled} onClick={confirm("destroy")} />
            <ActionButton label="Purge" name={agent.name} danger disabled={disabled} onClick={confirm("purge")} />
          </div>
        </td>
      </tr>
      {showUptime ? <UptimeStripRow name={agent.name} colSpan={colSpan} rowIndex={rowIndex && rowIndex + 1} /> : null}
      {showCrashes ? <CrashHistoryRow name={agent.name} version={crashVersion(agent.crashes)} colSpan={colSpan} rowIndex={afterUptime && afterUptime + 1} /> : null}
      <JournalRow
        agent={agent}
        colSpan={colSpan}
        open={table?.logsOpen}
        onOpenChange={table?.onLogsOpenChange}
        rowIndex={afterUptime && afterUptime + (showCrashes ? 2 : 1)}
      />
    </>
  );
}
