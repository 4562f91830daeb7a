"use client";

import { useState } from "react";
import type { ContainerView } from "@/server/contracts/containers";
import { useMoveAgentMutation } from "../queries/use-move-agent-mutation";
import { MoveAgentDialog } from "./move-agent-dialog";
import { useNodes } from "./nodes-context";

/** The agent's node, and (on a runtime with several nodes) the way to move it to another with its state. */
export function NodeCell({ agent, disabled }: { agent: ContainerView; disabled: boolean }) {
  const nodes = useNodes();
  const [open, setOpen] = useState(false);
  const move = useMoveAgentMutation();
  const others = (nodes ?? []).filter((node) => node.name !== agent.node);
  return (
    <td className="mono nowrap">
      {agent.node}
      {nodes && nodes.length > 1 ? (
        <>
          {" "}
          <button
            type="button"
            className="btn-xs"
            aria-label={`Move ${agent.name} to another node`}
            disabled={disabled || move.isPending || agent.state === "unreachable" || others.length === 0}
            onClick={() => setOpen(true)}
          >
            Move
          </button>
          <MoveAgentDialog agent={agent} nodes={others} open={open} onClose={() => setOpen(false)} onMove={(node) => move.mutate({ name: agent.name, node })} />
        </>
      ) : null}
    </td>
  );
}
