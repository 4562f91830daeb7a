"use client";

import type { NodeView } from "@/server/contracts/nodes";

/** Why a node cannot take a new agent now, or null when it can. */
function unavailableBecause(node: NodeView): string | null {
  if (node.state !== "ready") return node.state;
  if (node.availability !== "active") return node.availability;
  if (!node.engineReachable) return "engine not reachable";
  return null;
}

/**
 * The spawn dialog's node pick: shown only when the runtime has several nodes (a single engine has nothing to pick).
 * Empty means the cluster places the agent; a picked node pins it there with its state volume.
 */
export function NodePickField({
  id,
  nodes,
  value,
  problems,
  onChange,
}: {
  id: string;
  nodes: NodeView[] | null;
  value: string;
  problems: string[];
  onChange: (node: string) => void;
}) {
  if (!nodes || nodes.length < 2) return null;
  return (
    <div className="field">
      <label htmlFor={id}>Node</label>
      <select
        id={id}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={problems.length ? true : undefined}
        aria-describedby={problems.length ? `${id}-error` : `${id}-hint`}
      >
        <option value="">Any (the cluster spreads agents)</option>
        {nodes.map((node) => {
          const because = unavailableBecause(node);
          return (
            <option key={node.name} value={node.name} disabled={because !== null}>
              {node.name} · {node.role === "engine" ? "engine" : node.role} · {node.agents} agent{node.agents === 1 ? "" : "s"}
              {because ? ` (${because})` : ""}
            </option>
          );
        })}
      </select>
      {problems.length ? (
        <p id={`${id}-error`} className="form-error">
          {problems.join("; ")}
        </p>
      ) : (
        <p id={`${id}-hint`} className="muted small">
          Its state volume is made there, and it stays there until moved.
        </p>
      )}
    </div>
  );
}
