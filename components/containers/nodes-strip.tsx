"use client";

import type { NodeView } from "@/server/contracts/nodes";
import { formatBytes } from "../ui/format";

const STATE_TONE: Record<NodeView["state"], string> = { ready: "pill-ok", down: "pill-danger", disconnected: "pill-danger", unknown: "pill-warn" };

function roleLabel(node: NodeView): string {
  if (node.role === "engine") return "single engine";
  return node.leader ? "manager (leader)" : node.role;
}

/** The machines agents run on: one for a single engine, each node of a cluster (role, availability, state, agents, size). */
export function NodesStrip({ nodes }: { nodes: NodeView[] }) {
  return (
    <ul className="nodes-strip" aria-label="Nodes">
      {nodes.map((node) => (
        <li key={node.name} className="node-card" aria-label={`Node ${node.name}`}>
          <div className="node-head">
            <span className="mono node-name">{node.name}</span>
            <span className={`pill ${STATE_TONE[node.state]}`}>{node.state}</span>
          </div>
          <div className="muted node-facts">
            {roleLabel(node)}
            {node.availability !== "active" ? <span className="badge badge-warn">{node.availability}</span> : null} · {node.agents} agent
            {node.agents === 1 ? "" : "s"} · {node.cpus} CPU · {formatBytes(node.memoryBytes)}
          </div>
          {!node.engineReachable ? (
            <div className="node-problem" role="note">
              engine not reachable{node.engineProblem ? `: ${node.engineProblem}` : ""}
            </div>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
