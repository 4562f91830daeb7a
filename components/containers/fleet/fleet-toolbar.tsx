"use client";

import type { RefObject } from "react";
import { FLEET_STATE_FILTERS, type FleetQuery, type FleetStateFilter, isFiltered } from "./fleet-query";

const STATE_LABEL: Record<FleetStateFilter, string> = {
  running: "running",
  stopped: "stopped (exited)",
  created: "never started",
  paused: "paused",
  transient: "action in flight",
  unreachable: "node unreachable",
};

/** The filter controls above the fleet table; every one of them is in the URL. */
export function FleetToolbar({
  query,
  onChange,
  nodes,
  shown,
  total,
  inputRef,
  onShowShortcuts,
}: {
  query: FleetQuery;
  onChange: (change: Partial<FleetQuery>) => void;
  /** The nodes agents run on: the node filter appears when there are several. */
  nodes: string[];
  shown: number;
  total: number;
  inputRef: RefObject<HTMLInputElement | null>;
  onShowShortcuts: () => void;
}) {
  return (
    <div className="fleet-toolbar" role="search" aria-label="Filter agents">
      <input
        ref={inputRef}
        type="search"
        className="fleet-filter"
        aria-label="Filter by name or image"
        placeholder="Filter by name or image  ( / )"
        value={query.text}
        maxLength={200}
        onChange={(event) => onChange({ text: event.target.value })}
        onKeyDown={(event) => {
          // Escape hands the keyboard back to the table's shortcuts.
          if (event.key === "Escape") event.currentTarget.blur();
        }}
      />
      <label className="fleet-control">
        <span>State</span>
        <select value={query.state ?? ""} onChange={(event) => onChange({ state: (event.target.value || null) as FleetStateFilter | null })}>
          <option value="">any</option>
          {FLEET_STATE_FILTERS.map((state) => (
            <option key={state} value={state}>
              {STATE_LABEL[state]}
            </option>
          ))}
        </select>
      </label>
      {nodes.length > 1 || query.node ? (
        <label className="fleet-control">
          <span>Node</span>
          <select value={query.node ?? ""} onChange={(event) => onChange({ node: event.target.value || null })}>
            <option value="">any</option>
            {[...new Set([...nodes, ...(query.node ? [query.node] : [])])].map((node) => (
              <option key={node} value={node}>
                {node}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <label className="fleet-check">
        <input type="checkbox" checked={query.crashLooping} onChange={(event) => onChange({ crashLooping: event.target.checked })} />
        crash-looping
      </label>
      <label className="fleet-check">
        <input type="checkbox" checked={query.waitingQuestion} onChange={(event) => onChange({ waitingQuestion: event.target.checked })} />
        waiting question
      </label>
      <label className="fleet-check">
        <input type="checkbox" checked={query.liveStats} onChange={(event) => onChange({ liveStats: event.target.checked })} />
        live resource use
      </label>
      <span className="muted fleet-shown" role="status" aria-live="polite">
        {isFiltered(query) ? `${shown} of ${total} shown` : `${total} agent${total === 1 ? "" : "s"}`}
      </span>
      {isFiltered(query) ? (
        <button type="button" className="btn-xs" onClick={() => onChange({ text: "", state: null, node: null, crashLooping: false, waitingQuestion: false })}>
          Clear filter
        </button>
      ) : null}
      <button type="button" className="btn-xs ghost" onClick={onShowShortcuts} aria-keyshortcuts="?">
        Shortcuts <kbd>?</kbd>
      </button>
    </div>
  );
}
