import { describe, expect, it } from "vitest";
import { FleetPicture, type StopTransition } from "@/server/fleet/fleet-picture";
import type { AgentContainer } from "@/server/runtime/types";

const T0 = Date.parse("2026-11-22T12:00:00Z");
const iso = (ms: number) => new Date(T0 + ms).toISOString();

function agent(name: string, extra: Partial<AgentContainer> = {}): AgentContainer {
  return {
    name,
    containerId: `${name}-c1`,
    runId: `${name}-run1`,
    node: "node-1",
    containerName: `hive-${name}`,
    image: "hive-test-agent:latest",
    imageId: "sha256:1",
    state: "running",
    createdAt: iso(-60_000),
    startedAt: iso(-30_000),
    finishedAt: null,
    exitCode: null,
    oomKilled: false,
    labels: {},
    ...extra,
  };
}

/** A picture seeded with these agents at look time 0, live, and the stops it announces. */
function livePicture(...agents: AgentContainer[]) {
  const picture = new FleetPicture();
  const stops: StopTransition[] = [];
  picture.onStop((transition) => stops.push(transition));
  picture.seed(agents, 0);
  picture.setLive(true);
  return { picture, stops };
}

const exited = (name: string, at: number, exitCode: number, oomKilled = false) =>
  ({ type: "run-exited", agent: name, containerId: `${name}-c1`, runId: null, at: iso(at), exitCode, oomKilled }) as const;

describe("the fleet picture", () => {
  it("is trusted for reads only once seeded and while its events stream is live", () => {
    const picture = new FleetPicture();
    expect(picture.current()).toBeNull();
    expect(picture.activeCount()).toBeNull();
    picture.seed([agent("alpha"), agent("beta", { state: "exited" })], 0);
    expect(picture.current()).toBeNull(); // no stream yet
    expect(picture.activeCount()).toBe(1);
    picture.setLive(true);
    expect(picture.current()?.map((entry) => entry.name)).toEqual(["alpha", "beta"]);
    picture.setLive(false);
    expect(picture.current()).toBeNull();
  });

  it("announces a run's exit once, from its event, with the exit code and OOM", () => {
    const { picture, stops } = livePicture(agent("alpha"));
    expect(picture.apply(exited("alpha", 1_000, 137, true), 10)).toBe("look");
    expect(stops).toHaveLength(1);
    expect(stops[0]).toMatchObject({ agent: "alpha", containerId: "alpha-c1", runId: "alpha-run1", via: "event", diedAt: new Date(T0 + 1_000) });
    expect(stops[0]!.container).toMatchObject({ state: "exited", exitCode: 137, oomKilled: true });
    // The poll and the look that follow see the same death: not news.
    picture.poll([agent("alpha", { state: "exited", finishedAt: iso(1_000), exitCode: 137 })], 20);
    picture.update("alpha", agent("alpha", { state: "exited", finishedAt: iso(1_000), exitCode: 137 }), 30);
    expect(stops).toHaveLength(1);
  });

  it("takes an agent whose node cannot be reached for unknown, not stopped: no stop, then or when the node is back", () => {
    const { picture, stops } = livePicture(agent("remote"));
    picture.poll([agent("remote", { state: "unreachable" })], 10);
    picture.update("remote", agent("remote", { state: "unreachable" }), 20);
    // Back, its run found over (lost with the node): still not a crash of the agent's own.
    picture.poll([agent("remote", { state: "exited", finishedAt: iso(15), exitCode: 0 })], 30);
    expect(stops).toEqual([]);
    // A run on a reachable node that ends is still a stop.
    picture.poll([agent("remote", { state: "running", runId: "remote-run2", startedAt: iso(40) })], 40);
    picture.poll([agent("remote", { state: "exited", runId: "remote-run2", finishedAt: iso(50), exitCode: 1 })], 50);
    expect(stops.map((stop) => stop.agent)).toEqual(["remote"]);
  });

  it("leaves a death it never saw the agent up for to a look, and judges it by that look", () => {
    const { picture, stops } = livePicture();
    const death = exited("ghost", 1_000, 1);
    expect(picture.apply(death, 10)).toBe("look-at-death");
    picture.judgeDeath(death, agent("ghost", { state: "exited", finishedAt: iso(1_000), exitCode: 1 }), 10);
    expect(stops.map((stop) => stop.agent)).toEqual(["ghost"]);
    // A look showing the agent started again after the death: nothing stopped for long.
    const { picture: other, stops: none } = livePicture();
    other.judgeDeath(exited("phoenix", 1_000, 1), agent("phoenix", { startedAt: iso(2_000) }), 10);
    expect(none).toHaveLength(0);
  });

  it("never lets an older look undo a newer one", () => {
    const { picture } = livePicture(agent("alpha"));
    picture.update("alpha", agent("alpha", { state: "exited", finishedAt: iso(1_000), exitCode: 0 }), 50);
    picture.update("alpha", agent("alpha"), 40); // began before the one in place: dropped
    expect(picture.current()?.[0]?.state).toBe("exited");
    // A poll already on its way when an agent was destroyed does not bring it back.
    picture.update("alpha", null, 60);
    picture.poll([agent("alpha")], 55);
    expect(picture.current()).toEqual([]);
  });

  it("does not take a lagging list that still shows the announced run up", () => {
    const { picture, stops } = livePicture(agent("alpha"));
    picture.apply(exited("alpha", 1_000, 1), 10);
    picture.poll([agent("alpha")], 20); // the engine's list lags its events
    expect(picture.current()?.[0]?.state).toBe("exited");
    // A later run of the same container is news again, and so is its exit.
    picture.apply({ type: "run-started", agent: "alpha", containerId: "alpha-c1", runId: null, at: iso(2_000) }, 30);
    expect(picture.current()?.[0]).toMatchObject({ state: "running", startedAt: iso(2_000), runId: null });
    expect(picture.movedOnFrom("alpha", "alpha-c1", new Date(T0 + 1_000))).toBe(true);
    picture.apply(exited("alpha", 3_000, 1), 40);
    expect(stops.map((stop) => stop.diedAt.getTime() - T0)).toEqual([1_000, 3_000]);
  });

  it("tells whether later looks moved on from a death: gone, recreated, or up in a later run", () => {
    const { picture } = livePicture(agent("alpha"));
    picture.apply(exited("alpha", 1_000, 1), 10);
    const death = new Date(T0 + 1_000);
    expect(picture.movedOnFrom("alpha", "alpha-c1", death)).toBe(false);
    picture.update("alpha", agent("alpha", { containerId: "alpha-c2" }), 20);
    expect(picture.movedOnFrom("alpha", "alpha-c1", death)).toBe(true);
    picture.apply({ type: "agent-removed", agent: "alpha", containerId: "alpha-c1", at: iso(3_000) }, 30);
    expect(picture.current()?.map((entry) => entry.containerId)).toEqual(["alpha-c2"]); // the removal of the old one
    picture.apply({ type: "agent-removed", agent: "alpha", containerId: "alpha-c2", at: iso(4_000) }, 40);
    expect(picture.movedOnFrom("alpha", "alpha-c2", death)).toBe(true);
  });

  it("answers a caller waiting for a look begun after its action that shows what it expects", async () => {
    const { picture } = livePicture(agent("alpha"));
    const waiting = picture.lookSince("alpha", 100, (seen) => seen.state === "exited", 1_000);
    picture.update("alpha", agent("alpha", { state: "exited", exitCode: 0, finishedAt: iso(500) }), 50); // began before the action
    picture.update("alpha", agent("alpha", { state: "exited", exitCode: 0, finishedAt: iso(600) }), 150);
    expect(await waiting).toMatchObject({ state: "exited", finishedAt: iso(600) });
    expect(await picture.lookSince("alpha", 200, () => true, 20)).toBeUndefined();
  });

  it("keeps a list fetched elsewhere only while no stream keeps the picture", () => {
    const picture = new FleetPicture();
    picture.absorb([agent("alpha")]);
    expect(picture.activeCount()).toBe(1);
    picture.setLive(true);
    picture.absorb([]);
    expect(picture.current()?.map((entry) => entry.name)).toEqual(["alpha"]);
  });
});
