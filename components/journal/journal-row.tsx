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
export function JournalRow({ agent }: { agent: ContainerView }) {
  const [open, setOpen] = useState(false);
  const regionId = `journal-${useId().replace(/:/g, "")}`;
  return (
    <tr className={`journal-row${open ? " open" : ""}`}>
      <td colSpan={7}>
        <button
          type="button"
          className="journal-toggle"
          aria-expanded={open}
          aria-controls={open ? regionId : undefined}
          onClick={() => setOpen((value) => !value)}
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
