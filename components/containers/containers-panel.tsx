"use client";

import { useState } from "react";
import type { ContainerView, SpawningView } from "@/server/contracts/containers";
import type { NodeView } from "@/server/contracts/nodes";
import { useAgentActionMutation } from "../queries/use-agent-action-mutation";
import { ConfirmDialog, type ConfirmRequest } from "../ui/confirm-dialog";
import { RelativeTime } from "../ui/relative-time";
import { Section } from "../ui/section";
import { FleetView } from "./fleet/fleet-view";
import { SpawnDialog } from "./spawn-dialog";
import { NodesContext } from "./nodes-context";
import { NodesStrip } from "./nodes-strip";
import { PendingPill } from "./pending-pill";

const NO_AGENTS: ReadonlySet<string> = new Set();

/** The agent containers the engine reports, with their actions; agents being spawned are listed above. */
export function ContainersPanel({
  containers,
  spawning,
  nodes,
  engineDown,
  waitingAgents = NO_AGENTS,
}: {
  containers: ContainerView[] | null;
  /** Agents with a question waiting for the operator (a filter of the table). */
  waitingAgents?: ReadonlySet<string>;
  spawning: SpawningView[];
  nodes: NodeView[] | null;
  engineDown: boolean;
}) {
  const mutation = useAgentActionMutation();
  const [confirm, setConfirm] = useState<ConfirmRequest | null>(null);
  const [spawnOpen, setSpawnOpen] = useState(false);
  const running = containers?.filter((container) => container.state === "running").length ?? 0;
  const busyAgent = mutation.isPending ? mutation.variables?.name : undefined;

  return (
    <Section
      id="containers"
      title="Containers"
      count={
        containers ? (
          <span className="count" aria-label={`${running} running of ${containers.length}`}>
            {running}/{containers.length} running
          </span>
        ) : null
      }
      headerExtra={
        <>
          <div className="header-spacer" />
          <button type="button" className="primary" onClick={() => setSpawnOpen(true)} disabled={engineDown}>
            New agent
          </button>
        </>
      }
    >
      {spawning.length > 0 ? (
        <ul className="spawning-list" aria-label="Agents being spawned">
          {spawning.map((item) => (
            <li key={item.name}>
              <span className="agent-name">{item.name}</span>{" "}
              <PendingPill
                pending={{ kind: "spawning", action: "spawn", startedBy: item.startedBy, startedAt: item.startedAt, deadlineAt: item.deadlineAt, stuck: item.stuck }}
                onClear={() => mutation.mutate({ action: "clear", name: item.name })}
              />{" "}
              <span className="muted">
                by {item.startedBy}, <RelativeTime iso={item.startedAt} />
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {nodes && nodes.length > 0 ? <NodesStrip nodes={nodes} /> : null}
      <div className="section-body">
        {containers === null ? (
          <div className="empty-state" role="status">
            <strong>{engineDown ? "The container engine is unreachable" : "Waiting for the container engine…"}</strong>
            The list comes back by itself once the engine answers; nothing needs restarting.
          </div>
        ) : containers.length === 0 ? (
          <div className="empty-state">
            <strong>No agent containers yet</strong>
            Spawn one with <em>New agent</em>; containers labelled <span className="mono">hive.agent=&lt;name&gt;</span> appear here too.
          </div>
        ) : (
          <NodesContext.Provider value={nodes}>
            <FleetView
              containers={containers}
              waitingAgents={waitingAgents}
              busyAgent={busyAgent}
              onAction={(action, name) => mutation.mutate({ action, name })}
              onConfirm={setConfirm}
            />
          </NodesContext.Provider>
        )}
      </div>
      <ConfirmDialog request={confirm} onClose={() => setConfirm(null)} />
      <SpawnDialog open={spawnOpen} onClose={() => setSpawnOpen(false)} nodes={nodes} />
    </Section>
  );
}
