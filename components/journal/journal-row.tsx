"use client";

import { useId, useState } from "react";
import type { ContainerView } from "@/server/contracts/containers";
import { crashVersion } from "../queries/keys";
import { ChevronDownIcon, CornerDownRightIcon } from "../ui/icons";
import { JournalViewer } from "./journal-viewer";

/**
 * The collapsed `logs · <name>` block under an agent's row. Nothing is fetched until it is opened; closing it
 * unmounts the viewer, which ends its requests and any follow stream.
 */
export function JournalRow({
  agent,
  colSpan = 7,
  open: openProp,
  onOpenChange,
  rowIndex,
}: {
  agent: ContainerView;
  colSpan?: number;
  /** Controlled by the table when given (a keyboard shortcut opens it; it stays open while scrolled out of view). */
  open?: boolean;
  onOpenChange?: (open: boolean) => void;
  rowIndex?: number;
}) {
  const [openState, setOpenState] = useState(false);
  const open = openProp ?? openState;
  const setOpen = (next: boolean) => (onOpenChange ? onOpenChange(next) : setOpenState(next));
  const regionId = `journal-${useId().replace(/:/g, "")}`;
  return (
    <tr className={`journal-row${open ? " open" : ""}`} aria-rowindex={rowIndex}>
      <td colSpan={colSpan}>
        <button
          type="button"
          className="journal-toggle"
          aria-expanded={open}
          aria-controls={open ? regionId : undefined}
          onClick={() => setOpen(!open)}
        >
          {open ? <ChevronDownIcon /> : <CornerDownRightIcon />} logs · {agent.name}
        </button>
        {open ? (
          <JournalViewer
            id={regionId}
            name={agent.name}
            containerKey={`${agent.containerId}|${agent.startedAt ?? ""}|${agent.state}`}
            crashesTotal={agent.crashes.total}
            crashesVersion={crashVersion(agent.crashes)}
          />
        ) : null}
      </td>
    </tr>
  );
}
