"use client";

import { useSearchParams } from "next/navigation";
import { useCallback, useState } from "react";
import { type FleetQuery, parseFleetQuery, writeFleetQuery } from "./fleet-query";

/**
 * The table's filter and sort, read from the URL once and written back on every change (replaceState: no history
 * entry per keystroke, no server round trip); the page's own state is the source of truth while it is open.
 */
export function useFleetQuery(): [FleetQuery, (change: Partial<FleetQuery>) => void] {
  const searchParams = useSearchParams();
  const [query, setQuery] = useState<FleetQuery>(() => parseFleetQuery(new URLSearchParams(searchParams?.toString() ?? "")));
  const update = useCallback((change: Partial<FleetQuery>) => {
    setQuery((current) => {
      const next = { ...current, ...change };
      const params = writeFleetQuery(next, new URLSearchParams(window.location.search)).toString();
      window.history.replaceState(window.history.state, "", `${window.location.pathname}${params ? `?${params}` : ""}${window.location.hash}`);
      return next;
    });
  }, []);
  return [query, update];
}
