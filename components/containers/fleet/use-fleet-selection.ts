"use client";

import { useCallback, useMemo, useRef, useState } from "react";

/**
 * The rows an operator picked: a click toggles one, a shift-click sets the range from the last one clicked (in the
 * table's current order) to this one. Names the fleet no longer has drop out.
 */
export function useFleetSelection(existing: readonly string[]) {
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const anchor = useRef<string | null>(null);
  const selected = useMemo(() => {
    const alive = new Set(existing);
    return new Set([...picked].filter((name) => alive.has(name)));
  }, [picked, existing]);

  const toggle = useCallback((name: string, range: boolean, order: readonly string[]) => {
    // Read now: the updater below runs later, after the anchor has moved to this row.
    const from = range && anchor.current !== null ? order.indexOf(anchor.current) : -1;
    setPicked((current) => {
      const next = new Set(current);
      const on = !current.has(name);
      const to = order.indexOf(name);
      if (from >= 0 && to >= 0) {
        for (const other of order.slice(Math.min(from, to), Math.max(from, to) + 1)) {
          if (on) next.add(other);
          else next.delete(other);
        }
      } else if (on) next.add(name);
      else next.delete(name);
      return next;
    });
    anchor.current = name;
  }, []);

  const setMany = useCallback((names: readonly string[], on: boolean) => {
    setPicked((current) => {
      const next = new Set(current);
      for (const name of names) {
        if (on) next.add(name);
        else next.delete(name);
      }
      return next;
    });
  }, []);

  const clear = useCallback(() => setPicked(new Set()), []);
  return { selected, toggle, setMany, clear };
}
