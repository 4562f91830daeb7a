"use client";

import type { AgentView } from "@/server/contracts/agents";
import { shortImage } from "../ui/format";
import { RelativeTime } from "../ui/relative-time";

const statePill: Record<AgentView["state"], string> = {
  running: "pill-ok",
  created: "pill-muted",
  paused: "pill-warn",
  restarting: "pill-info",
  removing: "pill-muted",
  exited: "pill-muted",
  dead: "pill-danger",
};

function stateLabel(agent: AgentView): string {
  if (agent.state === "exited" && agent.exitCode !== null) return `exited (${agent.exitCode})`;
  return agent.state;
}

/** The agent containers the engine reports. */
export function ContainersPanel({ agents, engineDown }: { agents: AgentView[] | null; engineDown: boolean }) {
  return (
    <section className="section" aria-labelledby="containers-heading">
      <div className="section-header">
        <h2 id="containers-heading">Containers</h2>
        {agents ? <span className="count">{agents.length}</span> : null}
      </div>
      <div className="section-body">
        {agents === null ? (
          <div className="empty-state" role="status">
            <strong>{engineDown ? "The container engine is unreachable" : "Waiting for the container engine…"}</strong>
            The list comes back by itself once the engine answers; nothing needs restarting.
          </div>
        ) : agents.length === 0 ? (
          <div className="empty-state">
            <strong>No agent containers yet</strong>
            Containers labelled <span className="mono">hive.agent=&lt;name&gt;</span> appear here.
          </div>
        ) : (
          <table className="data" aria-label="Agent containers">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">State</th>
                <th scope="col">Image</th>
                <th scope="col">Started</th>
                <th scope="col">Engine status</th>
              </tr>
            </thead>
            <tbody>
              {agents.map((agent) => (
                <tr key={agent.containerId} aria-label={`Agent ${agent.name}`}>
                  <td className="agent-name">{agent.name}</td>
                  <td>
                    <span className={`pill ${statePill[agent.state]}`}>{stateLabel(agent)}</span>
                    {agent.oomKilled ? <span className="badge badge-danger"> OOM</span> : null}
                  </td>
                  <td className="mono" title={agent.image}>
                    {shortImage(agent.image)}
                  </td>
                  <td>{agent.state === "running" ? <RelativeTime iso={agent.startedAt} /> : <span className="muted">—</span>}</td>
                  <td className="muted">{agent.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
