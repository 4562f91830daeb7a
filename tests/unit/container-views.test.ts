import { describe, expect, it } from "vitest";
import type { AgentView } from "@/server/contracts/agents";
import { uptimeRange } from "@/server/runtime/docker/engine-schemas";
import { restartDelayMs } from "@/server/workers/crash-watch";
import { buildActivityViews } from "@/server/views/activity";
import { anyInFlight, buildContainerViews, buildSpawningViews, type TransientRecord } from "@/server/views/containers";

const now = new Date("2026-11-22T12:00:00Z");

function container(name: string, state: AgentView["state"], extra: Partial<AgentView> = {}): AgentView {
  return {
    name,
    containerId: `${name}-id`,
    runId: `${name}-run`,
    node: "node-1",
    image: "hive-test-agent:latest",
    state,
    createdAt: "2026-11-22T11:00:00Z",
    startedAt: "2026-11-22T11:55:00Z",
    finishedAt: null,
    exitCode: state === "running" ? null : 0,
    oomKilled: false,
    ...extra,
  };
}

const agentRecord = (name: string, desiredState: "running" | "stopped", extra = {}) => ({
  name,
  role: "agent" as const,
  desiredState,
  desiredChangedBy: "operator",
  desiredChangedAt: new Date("2026-11-22T11:00:00Z"),
  destroyedAt: null,
  crashLoopingSince: null,
  nextRestartAt: null,
  ...extra,
});

const transient = (agent: string, kind: TransientRecord["kind"], deadlineAt: Date): TransientRecord => ({
  agent,
  kind,
  action: kind === "spawning" ? "spawn" : "restart",
  startedBy: "alice",
  startedAt: new Date(deadlineAt.getTime() - 120_000),
  deadlineAt,
});

describe("container views", () => {
  it("merges the engine's containers with desired state, pending actions and crashes, sorted by name", () => {
    const views = buildContainerViews({
      containers: [container("zeta", "running"), container("alpha", "exited", { exitCode: 137 })],
      agents: [agentRecord("alpha", "running", { nextRestartAt: new Date("2026-11-22T12:00:04Z") }), agentRecord("zeta", "running")],
      transients: [transient("zeta", "restarting", new Date("2026-11-22T12:01:00Z"))],
      crashes: [
        {
          agent: "alpha",
          recentCount: 2,
          total: 3,
          last: { id: 9, crashedAt: new Date("2026-11-22T11:59:58Z"), exitCode: 137, oomKilled: true, outcome: "restart_scheduled", lastLines: [{}, {}] },
        },
      ],
      now,
    });
    expect(views.map((view) => view.name)).toEqual(["alpha", "zeta"]);
    const [alpha, zeta] = views;
    expect(alpha).toMatchObject({
      desiredState: "running",
      drift: true,
      pending: null,
      nextRestartAt: "2026-11-22T12:00:04.000Z",
      crashes: { recent: 2, total: 3, last: { id: 9, exitCode: 137, oomKilled: true, outcome: "restart_scheduled", lineCount: 2 } },
    });
    expect(zeta).toMatchObject({ drift: false, pending: { kind: "restarting", startedBy: "alice", stuck: false } });
  });

  it("marks a pending action stuck once its deadline has passed", () => {
    const [view] = buildContainerViews({
      containers: [container("alpha", "running")],
      agents: [agentRecord("alpha", "running")],
      transients: [transient("alpha", "restarting", new Date(now.getTime() - 1))],
      crashes: [],
      now,
    });
    expect(view?.pending?.stuck).toBe(true);
  });

  it("gives a container without a dashboard record no desired state and no drift, and flags a stopped agent that runs", () => {
    const views = buildContainerViews({
      containers: [container("free", "running"), container("kept", "running")],
      agents: [agentRecord("kept", "stopped")],
      transients: [],
      crashes: [],
      now,
    });
    expect(views.find((view) => view.name === "free")).toMatchObject({ desiredState: null, drift: false });
    expect(views.find((view) => view.name === "kept")).toMatchObject({ desiredState: "stopped", drift: true });
  });

  it("lists only spawns that have no container yet, oldest first, and says when any action is in flight", () => {
    const transients = [
      transient("late", "spawning", new Date("2026-11-22T12:02:00Z")),
      transient("early", "spawning", new Date("2026-11-22T12:01:00Z")),
      transient("made", "spawning", new Date("2026-11-22T12:01:30Z")),
      transient("other", "restarting", new Date("2026-11-22T12:01:30Z")),
    ];
    const spawning = buildSpawningViews({ containers: [container("made", "created")], transients, now });
    expect(spawning.map((view) => view.name)).toEqual(["early", "late"]);
    expect(anyInFlight(transients)).toBe(true);
    expect(anyInFlight([])).toBe(false);
  });

  it("keeps the activity feed to outcomes", () => {
    const at = new Date("2026-11-22T12:00:00Z");
    const views = buildActivityViews(
      [
        { id: 3, at, kind: "container_crash", agent: "a", actor: "system:crash-watch", detail: { exitCode: 1 } },
        { id: 2, at, kind: "action_started", agent: "a", actor: "alice", detail: {} },
        { id: 1, at, kind: "agent_spawned", agent: "a", actor: "alice", detail: {} },
      ],
      10,
    );
    expect(views.map((view) => view.kind)).toEqual(["container_crash", "agent_spawned"]);
  });
});

describe("recovery backoff and engine durations", () => {
  it("doubles from 1 s and caps at 5 minutes", () => {
    expect([1, 2, 3, 4, 5, 9, 10, 20].map(restartDelayMs)).toEqual([1000, 2000, 4000, 8000, 16000, 256000, 300000, 300000]);
  });

  it("reads the uptime range out of the engine's humanized status", () => {
    expect(uptimeRange("Up Less than a second")).toEqual([0, 1]);
    expect(uptimeRange("Up 5 seconds")).toEqual([5, 6]);
    expect(uptimeRange("Up About a minute")).toEqual([60, 120]);
    expect(uptimeRange("Up 3 minutes (healthy)")).toEqual([180, 240]);
    expect(uptimeRange("Up About an hour")).toEqual([3600, 7200]);
    expect(uptimeRange("Up 2 days (Paused)")).toEqual([172800, 259200]);
    expect(uptimeRange("Exited (0) 3 minutes ago")).toBeNull();
  });
});
