"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { type ReactNode, useEffect, useRef, useSyncExternalStore } from "react";
import { ArrowDownIcon, ArrowUpIcon } from "../../ui/icons";
import type { FleetSortKey } from "./fleet-query";

export type FleetColumn = {
  label: string;
  /** Shown to screen readers only (the selection column's header is a checkbox). */
  header?: ReactNode;
  sort?: FleetSortKey;
  className?: string;
};

/** Rows rendered by the server and before hydration: enough for a first screen, cheap at 1000 agents. */
const FIRST_PAINT_ITEMS = 30;
const ESTIMATED_ITEM_HEIGHT = 62;

const subscribeNothing = () => () => undefined;
/** False while the server renders and while the page hydrates, true once the browser runs it. */
const useHydrated = () => useSyncExternalStore(subscribeNothing, () => true, () => false);

/**
 * The agents' table, virtualised with @tanstack/react-virtual: each agent is a <tbody> of its rows (its line, the
 * crash history and logs blocks under it), measured as it renders; spacer rows stand for the rest. Table semantics stay:
 * aria-rowcount on the table and aria-rowindex on each row say where a row sits in the whole fleet.
 */
export function FleetTable<T>({
  label,
  columns,
  items,
  keyOf,
  rowsOf,
  renderItem,
  sort,
  onSort,
  revealIndex,
  focusRequest,
  onFocusDone,
  onRenderedChange,
}: {
  label: string;
  columns: FleetColumn[];
  items: readonly T[];
  keyOf: (item: T) => string;
  /** How many <tr> an item renders (for the row indexes). */
  rowsOf: (item: T) => number;
  renderItem: (item: T, firstRowIndex: number) => ReactNode;
  sort: { key: FleetSortKey; direction: "asc" | "desc" };
  onSort: (key: FleetSortKey) => void;
  /** Scrolled into view when it changes (keyboard movement). */
  revealIndex: number;
  /** An agent's row to focus once it is rendered (after a keyboard move scrolls it in). */
  focusRequest: { name: string } | null;
  onFocusDone: () => void;
  /** The items rendered now (those on screen and a few around them), whenever they change. */
  onRenderedChange?: (keys: string[]) => void;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const hydrated = useHydrated();
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ESTIMATED_ITEM_HEIGHT,
    getItemKey: (index) => keyOf(items[index]!),
    overscan: 6,
  });

  useEffect(() => {
    if (revealIndex >= 0 && revealIndex < items.length) virtualizer.scrollToIndex(revealIndex, { align: "auto" });
  }, [revealIndex, items.length, virtualizer]);

  // Runs after every render of the table, the virtualiser's own included: the row appears once scrolled to.
  useEffect(() => {
    if (!focusRequest) return;
    const row = scrollRef.current?.querySelector<HTMLElement>(`tr[data-agent="${CSS.escape(focusRequest.name)}"]`);
    if (row) {
      row.focus({ preventScroll: true });
      onFocusDone();
    }
  });

  // Row indexes: the header row is 1; each item's rows follow the rows of the items before it.
  const firstRowIndex: number[] = new Array(items.length);
  let rowCount = 1;
  items.forEach((item, index) => {
    firstRowIndex[index] = rowCount + 1;
    rowCount += rowsOf(item);
  });

  const virtualItems = hydrated ? virtualizer.getVirtualItems() : [];
  const shown = hydrated ? virtualItems.map((virtual) => virtual.index) : items.slice(0, FIRST_PAINT_ITEMS).map((_, index) => index);
  const total = virtualizer.getTotalSize();
  const paddingTop = hydrated && virtualItems.length > 0 ? virtualItems[0]!.start : 0;
  const paddingBottom = hydrated && virtualItems.length > 0 ? total - virtualItems[virtualItems.length - 1]!.end : 0;

  const renderedKeys = shown.map((index) => keyOf(items[index]!)).join("\n");
  const reportRendered = useRef(onRenderedChange);
  reportRendered.current = onRenderedChange;
  useEffect(() => {
    reportRendered.current?.(renderedKeys ? renderedKeys.split("\n") : []);
  }, [renderedKeys]);

  return (
    <div ref={scrollRef} className="fleet-scroll">
      <table className="data fleet-table" aria-label={label} aria-rowcount={rowCount}>
        <thead>
          <tr aria-rowindex={1}>
            {columns.map((column) => {
              const sorted = column.sort !== undefined && sort.key === column.sort;
              return (
                <th
                  key={column.label}
                  scope="col"
                  className={column.className}
                  aria-sort={sorted ? (sort.direction === "asc" ? "ascending" : "descending") : undefined}
                >
                  {column.header ??
                    (column.sort ? (
                      <button type="button" className="sort-button" onClick={() => onSort(column.sort!)}>
                        {column.label}
                        {sorted ? sort.direction === "asc" ? <ArrowUpIcon className="sort-mark" /> : <ArrowDownIcon className="sort-mark" /> : null}
                      </button>
                    ) : (
                      column.label
                    ))}
                </th>
              );
            })}
          </tr>
        </thead>
        {paddingTop > 0 ? <Spacer height={paddingTop} columns={columns.length} /> : null}
        {shown.map((index) => (
          <tbody key={keyOf(items[index]!)} ref={hydrated ? virtualizer.measureElement : undefined} data-index={index} className="agent-group">
            {renderItem(items[index]!, firstRowIndex[index]!)}
          </tbody>
        ))}
        {paddingBottom > 0 ? <Spacer height={paddingBottom} columns={columns.length} /> : null}
      </table>
    </div>
  );
}

/** Stands for the rows not rendered; only ever rendered in the browser (a style attribute from the server breaks the CSP). */
function Spacer({ height, columns }: { height: number; columns: number }) {
  return (
    <tbody aria-hidden="true" className="fleet-spacer">
      <tr>
        <td colSpan={columns} style={{ height }} />
      </tr>
    </tbody>
  );
}
