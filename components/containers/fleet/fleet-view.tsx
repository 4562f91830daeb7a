"use client";

import { useMemo, useRef, useState } from "react";
import type { ContainerView } from "@/server/contracts/containers";
import type { AgentAction } from "../../queries/use-agent-action-mutation";
import type { ConfirmRequest } from "../../ui/confirm-dialog";
import { useAgentStatsQuery } from "../../queries/use-agent-stats-query";
import { useServerNow } from "../../ui/server-clock";
import { AgentRow } from "../agent-row";
import { BulkBar, bulkDestroyConfirmation } from "./bulk-bar";
import { defaultDirection, filterFleet, type FleetSortKey, sortFleet } from "./fleet-query";
import { type FleetColumn, FleetTable } from "./fleet-table";
import { FleetToolbar } from "./fleet-toolbar";
import { SelectAllBox, SelectBox } from "./select-box";
import { ShortcutsDialog } from "./shortcuts-dialog";
import { StatsCells } from "./stats-cells";
import { type BulkAction, useBulkAction } from "./use-bulk-action";
import { useFleetQuery } from "./use-fleet-query";
import { useFleetSelection } from "./use-fleet-selection";
import { useFleetShortcuts } from "./use-fleet-shortcuts";

const toggleIn = (set: ReadonlySet<string>, name: string, open: boolean) => {
  const next = new Set(set);
  if (open) next.add(name);
  else next.delete(name);
  return next;
};

/** The fleet: filter, sort, a virtualised table of agents with their actions, selection and bulk actions, shortcuts. */
export function FleetView({
  containers,
  waitingAgents,
  busyAgent,
  onAction,
  onConfirm,
}: {
  containers: ContainerView[];
  /** Agents with a question waiting for the operator. */
  waitingAgents: ReadonlySet<string>;
  busyAgent: string | undefined;
  onAction: (action: AgentAction, name: string) => void;
  onConfirm: (request: ConfirmRequest) => void;
}) {
  const [query, setQuery] = useFleetQuery();
  const now = useServerNow();
  const filterRef = useRef<HTMLInputElement>(null);
  const [crashesOpen, setCrashesOpen] = useState<ReadonlySet<string>>(new Set());
  const [logsOpen, setLogsOpen] = useState<ReadonlySet<string>>(new Set());
  const [active, setActive] = useState<string | null>(null);
  const [focusRequest, setFocusRequest] = useState<{ name: string } | null>(null);
  const [helpOpen, setHelpOpen] = useState(false);
  const names = useMemo(() => containers.map((agent) => agent.name), [containers]);
  const selection = useFleetSelection(names);
  const bulk = useBulkAction();
  const nodes = useMemo(() => [...new Set(containers.map((agent) => agent.node))].sort(), [containers]);
  // The uptime order moves with the clock only when the list or the query changes: rows do not reshuffle every second.
  const sortNow = useMemo(() => now, [containers, query.sort]);
  const [rendered, setRendered] = useState<string[]>([]);
  const running = useMemo(() => new Set(containers.filter((agent) => agent.state === "running").map((agent) => agent.name)), [containers]);
  const renderedRunning = useMemo(() => rendered.filter((name) => running.has(name)), [rendered, running]);
  const stats = useAgentStatsQuery(renderedRunning, query.liveStats);
  // Sorting by a figure uses the last reading of each agent (ones never on screen have none and go last).
  const figures = useMemo(
    () => new Map([...stats.latest].map(([name, view]) => [name, { cpuPercent: view.cpuPercent, memoryBytes: view.memoryBytes }])),
    [stats.latest],
  );
  const usesFigures = query.sort === "cpu" || query.sort === "memory";
  const shown = useMemo(
    () => sortFleet(filterFleet(containers, query, waitingAgents), query, sortNow, usesFigures ? figures : undefined),
    [containers, query, waitingAgents, sortNow, usesFigures, figures],
  );
  const shownNames = useMemo(() => shown.map((agent) => agent.name), [shown]);
  const activeIndex = active === null ? -1 : shownNames.indexOf(active);
  const hiddenSelected = [...selection.selected].filter((name) => !shownNames.includes(name)).length;

  const onSort = (key: FleetSortKey) =>
    setQuery(query.sort === key ? { direction: query.direction === "asc" ? "desc" : "asc" } : { sort: key, direction: defaultDirection(key) });

  const moveTo = (index: number) => {
    const name = shownNames[index];
    if (name === undefined) return;
    setActive(name);
    setFocusRequest({ name });
  };
  useFleetShortcuts({
    focusFilter: () => filterRef.current?.focus(),
    move: (delta) => moveTo(activeIndex < 0 ? (delta > 0 ? 0 : shownNames.length - 1) : Math.min(shownNames.length - 1, Math.max(0, activeIndex + delta))),
    openLogs: () => {
      if (active !== null && activeIndex >= 0) setLogsOpen((set) => toggleIn(set, active, !set.has(active)));
    },
    toggleSelected: () => {
      if (active !== null && activeIndex >= 0) selection.toggle(active, false, shownNames);
    },
    showHelp: () => setHelpOpen(true),
  });

  const runBulk = (action: BulkAction) => {
    const targets = names.filter((name) => selection.selected.has(name));
    if (action === "destroy") onConfirm(bulkDestroyConfirmation(targets, () => void bulk.run(action, targets)));
    else void bulk.run(action, targets);
  };

  const allShownSelected = shownNames.length > 0 && shownNames.every((name) => selection.selected.has(name));
  const someShownSelected = shownNames.some((name) => selection.selected.has(name));
  const columns: FleetColumn[] = [
    {
      label: "Select",
      className: "select-cell",
      header: (
        <SelectAllBox
          count={shownNames.length}
          checked={allShownSelected}
          indeterminate={!allShownSelected && someShownSelected}
          onChange={(on) => selection.setMany(shownNames, on)}
        />
      ),
    },
    { label: "Agent", sort: "name" },
    { label: "State", sort: "state" },
    { label: "Node" },
    { label: "Image" },
    { label: "Since", sort: "uptime" },
    { label: "CPU", sort: "cpu", className: "stat-head" },
    { label: "Memory", sort: "memory", className: "stat-head" },
    { label: "Net I/O", className: "stat-head" },
    { label: "Crashes", sort: "crashes" },
    { label: "Actions" },
  ];

  return (
    <>
      <FleetToolbar
        query={query}
        onChange={setQuery}
        nodes={nodes}
        shown={shown.length}
        total={containers.length}
        inputRef={filterRef}
        onShowShortcuts={() => setHelpOpen(true)}
      />
      <BulkBar
        selected={selection.selected.size}
        hiddenSelected={hiddenSelected}
        progress={bulk.progress}
        onRun={runBulk}
        onClear={selection.clear}
        onDismiss={bulk.dismiss}
      />
      {shown.length === 0 ? (
        <div className="empty-state compact">No agent matches the filter.</div>
      ) : (
        <FleetTable
          label="Agent containers"
          columns={columns}
          items={shown}
          keyOf={(agent) => agent.name}
          rowsOf={(agent) => (crashesOpen.has(agent.name) ? 3 : 2)}
          sort={{ key: query.sort, direction: query.direction }}
          onSort={onSort}
          revealIndex={activeIndex}
          focusRequest={focusRequest}
          onFocusDone={() => setFocusRequest(null)}
          onRenderedChange={setRendered}
          renderItem={(agent, firstRowIndex) => (
            <AgentRow
              agent={agent}
              busy={busyAgent === agent.name}
              onAction={onAction}
              onConfirm={onConfirm}
              table={{
                colSpan: columns.length,
                firstRowIndex,
                className: agent.name === active ? "row-active" : undefined,
                onFocus: () => setActive(agent.name),
                leading: (
                  <td className="select-cell">
                    <SelectBox name={agent.name} checked={selection.selected.has(agent.name)} onToggle={(range) => selection.toggle(agent.name, range, shownNames)} />
                  </td>
                ),
                beforeCrashes: <StatsCells stats={stats.latest.get(agent.name)} history={stats.history.get(agent.name)} running={query.liveStats && running.has(agent.name)} />,
                crashesOpen: crashesOpen.has(agent.name),
                onCrashesOpenChange: (open) => setCrashesOpen((set) => toggleIn(set, agent.name, open)),
                logsOpen: logsOpen.has(agent.name),
                onLogsOpenChange: (open) => setLogsOpen((set) => toggleIn(set, agent.name, open)),
              }}
            />
          )}
        />
      )}
      <ShortcutsDialog open={helpOpen} onClose={() => setHelpOpen(false)} />
    </>
  );
}
