"use client";

import { useEffect, useRef } from "react";

export type FleetShortcutHandlers = {
  focusFilter: () => void;
  move: (delta: 1 | -1) => void;
  openLogs: () => void;
  toggleSelected: () => void;
  showHelp: () => void;
};

export const FLEET_SHORTCUTS: { keys: string; does: string }[] = [
  { keys: "/", does: "Focus the filter (Escape leaves it)" },
  { keys: "j", does: "Next agent" },
  { keys: "k", does: "Previous agent" },
  { keys: "Enter", does: "Open or close the agent's logs" },
  { keys: "x", does: "Select or unselect the agent" },
  { keys: "?", does: "List these shortcuts" },
];

const NOT_TYPED = new Set(["checkbox", "radio", "button", "submit", "reset"]);

/** Whether a key press belongs to what has focus: typing in a field, a button's Enter, or an open dialog. */
function belongsToTarget(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null;
  if (!target || typeof target.closest !== "function") return false;
  if (target.isContentEditable || target.closest("textarea, select, [contenteditable='true']")) return true;
  if (target instanceof HTMLInputElement && !NOT_TYPED.has(target.type)) return true;
  if (document.querySelector("dialog[open]")) return true;
  return event.key === "Enter" && target.closest("button, a, summary, [role='listbox']") !== null;
}

/** The fleet table's keyboard shortcuts, on the whole page; none fires while the operator types. */
export function useFleetShortcuts(handlers: FleetShortcutHandlers) {
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
      if (belongsToTarget(event)) return;
      const run = (action: () => void) => {
        event.preventDefault();
        action();
      };
      if (event.key === "/") run(latest.current.focusFilter);
      else if (event.key === "?") run(latest.current.showHelp);
      else if (event.key === "j") run(() => latest.current.move(1));
      else if (event.key === "k") run(() => latest.current.move(-1));
      else if (event.key === "x") run(latest.current.toggleSelected);
      else if (event.key === "Enter") run(latest.current.openLogs);
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, []);
}
