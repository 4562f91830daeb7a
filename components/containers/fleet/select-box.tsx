"use client";

import { useEffect, useRef } from "react";

/** One row's checkbox; a shift-click extends the selection from the last row clicked. */
export function SelectBox({ name, checked, onToggle }: { name: string; checked: boolean; onToggle: (range: boolean) => void }) {
  return (
    <input
      type="checkbox"
      aria-label={`Select ${name}`}
      checked={checked}
      onChange={(event) => onToggle((event.nativeEvent as MouseEvent).shiftKey === true)}
    />
  );
}

/** The header's checkbox: every agent the filter lets through, or none of them. */
export function SelectAllBox({ count, checked, indeterminate, onChange }: { count: number; checked: boolean; indeterminate: boolean; onChange: (on: boolean) => void }) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = indeterminate;
  }, [indeterminate]);
  return (
    <input
      ref={ref}
      type="checkbox"
      aria-label={`Select all ${count} shown`}
      checked={checked}
      onChange={(event) => onChange(event.target.checked)}
    />
  );
}
