"use client";

import { useEffect, useId, useRef, useState } from "react";
import type { ContainerView } from "@/server/contracts/containers";
import type { NodeView } from "@/server/contracts/nodes";

const canTake = (node: NodeView) => node.state === "ready" && node.availability === "active" && node.engineReachable;

/** Asks where to move an agent and says what happens to it and its state before anything is done. */
export function MoveAgentDialog({
  agent,
  nodes,
  open,
  onClose,
  onMove,
}: {
  agent: ContainerView;
  nodes: NodeView[];
  open: boolean;
  onClose: () => void;
  onMove: (node: string) => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const [target, setTarget] = useState("");

  useEffect(() => {
    const dialog = ref.current;
    if (open && dialog && !dialog.open) {
      setTarget(nodes.find(canTake)?.name ?? "");
      dialog.showModal();
    } else if (!open && dialog?.open) dialog.close();
  }, [open, nodes]);

  const running = agent.state === "running" || agent.state === "starting";
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={`${id}-title`} aria-describedby={`${id}-body`} onClose={onClose}>
      {open ? (
        <form
          method="dialog"
          onSubmit={(event) => {
            event.preventDefault();
            if (!target) return;
            onMove(target);
            onClose();
          }}
        >
          <h2 id={`${id}-title`}>Move {agent.name} to another node?</h2>
          <div id={`${id}-body`} className="dialog-body">
            <p>
              {running ? (
                <>
                  {agent.name} is <strong>stopped</strong> (SIGTERM, as a stop does) and started again on the new node once its state is there.{" "}
                </>
              ) : (
                <>{agent.name} is not running and stays stopped. </>
              )}
              Every file in its state volume <span className="mono">hive-state-{agent.name}</span> is copied from{" "}
              <span className="mono">{agent.node}</span> to the new node, then <strong>deleted from {agent.node}</strong>. The logs of its runs on{" "}
              {agent.node} are not carried over. It stays pinned to the new node until moved again.
            </p>
          </div>
          <div className="field">
            <label htmlFor={`${id}-node`}>Move to node</label>
            <select id={`${id}-node`} value={target} onChange={(event) => setTarget(event.target.value)}>
              {nodes.map((node) => (
                <option key={node.name} value={node.name} disabled={!canTake(node)}>
                  {node.name} · {node.role} · {node.agents} agent{node.agents === 1 ? "" : "s"}
                  {canTake(node) ? "" : " (cannot take agents now)"}
                </option>
              ))}
            </select>
          </div>
          <div className="dialog-actions">
            <button type="button" onClick={onClose} autoFocus>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={!target}>
              Move {agent.name}
            </button>
          </div>
        </form>
      ) : null}
    </dialog>
  );
}
