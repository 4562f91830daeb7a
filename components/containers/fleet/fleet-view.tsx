"use client";

import { useMemo, useRef, useState } from "react";
import type { ContainerView } from "@/server/contracts/containers";
import type { AgentAction } from "../../queries/use-agent-action-mutation";
import type { ConfirmRequest } from "../../ui/confirm-dialog";
import { useServerNow } from "../../ui/server-clock";
import { AgentRow } from "../agent-row";
import { defaultDirection, filterFleet, type FleetSortKey, sortFleet } from "./fleet-query";
import { type FleetColumn, FleetTable } from "./fleet-table";
import { FleetToolbar } from "./fleet-toolbar";
import { useFleetQuery } from "./use-fleet-query";

const COLUMNS: FleetColumn[] = [
  { label: "Agent", sort: "name" },
  { label: "State", sort: "state" },
  { label: "Node" },
  { label: "Image" },
  { label: "Since", sort: "uptime" },
  { label: "Crashes", sort: "crashes" },
  { label: "Actions" },
];

/** The fleet: filter, sort and a virtualised table of agents, each with its actions. */
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
  const nodes = useMemo(() => [...new Set(containers.map((agent) => agent.node))].sort(), [containers]);
  // The uptime order moves with the clock only when the list or the query changes: rows do not reshuffle every second.
  const sortNow = useMemo(() => now, [containers, query.sort]);
  const shown = useMemo(
    () => sortFleet(filterFleet(containers, query, waitingAgents), query, sortNow),
    [containers, query, waitingAgents, sortNow],
  );

  const toggleIn = (set: ReadonlySet<string>, name: string, open: boolean) => {
    const next = new Set(set);
    if (open) next.add(name);
    else next.delete(name);
    return next;
  };
  const onSort = (key: FleetSortKey) =>
    setQuery(query.sort === key ? { direction: query.direction === "asc" ? "desc" : "asc" } : { sort: key, direction: defaultDirection(key) });

  return (
    <>
      <FleetToolbar query={query} onChange={setQuery} nodes={nodes} shown={shown.length} total={containers.length} inputRef={filterRef} />
      {shown.length === 0 ? (
        <div className="empty-state compact">No agent matches the filter.</div>
      ) : (
        <FleetTable
          label="Agent containers"
          columns={COLUMNS}
          items={shown}
          keyOf={(agent) => agent.name}
          rowsOf={(agent) => (crashesOpen.has(agent.name) ? 3 : 2)}
          sort={{ key: query.sort, direction: query.direction }}
          onSort={onSort}
          revealIndex={-1}
          renderItem={(agent, firstRowIndex) => (
            <AgentRow
              agent={agent}
              busy={busyAgent === agent.name}
              onAction={onAction}
              onConfirm={onConfirm}
              table={{
                colSpan: COLUMNS.length,
                firstRowIndex,
                crashesOpen: crashesOpen.has(agent.name),
                onCrashesOpenChange: (open) => setCrashesOpen((set) => toggleIn(set, agent.name, open)),
                logsOpen: logsOpen.has(agent.name),
                onLogsOpenChange: (open) => setLogsOpen((set) => toggleIn(set, agent.name, open)),
              }}
            />
          )}
        />
      )}
    </>
  );
}
