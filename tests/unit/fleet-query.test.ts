import { describe, expect, it } from "vitest";
import { DEFAULT_FLEET_QUERY, filterFleet, parseFleetQuery, sortFleet, writeFleetQuery } from "@/components/containers/fleet/fleet-query";
import type { ContainerView } from "@/server/contracts/containers";

const now = Date.parse("2026-12-01T12:00:00Z");

function agent(name: string, extra: Partial<ContainerView> = {}): ContainerView {
  return {
    name,
    containerId: `${name}-id`,
    runId: null,
    node: "node-1",
    image: "hive-test-agent:latest",
    state: "running",
    createdAt: "2026-12-01T10:00:00Z",
    startedAt: "2026-12-01T11:00:00Z",
    finishedAt: null,
    exitCode: null,
    oomKilled: false,
    role: "agent",
    desiredState: "running",
    desiredChangedBy: null,
    desiredChangedAt: null,
    drift: false,
    pending: null,
    crashLoopingSince: null,
    nextRestartAt: null,
    crashes: { recent: 0, total: 0, last: null },
    ...extra,
  };
}

describe("the fleet query in the URL", () => {
  it("round-trips every field and leaves defaults out", () => {
    const query = { text: "web", state: "running", node: "worker-1", crashLooping: true, waitingQuestion: true, sort: "cpu", direction: "asc", liveStats: false } as const;
    const params = writeFleetQuery(query, new URLSearchParams("other=kept"));
    expect(params.get("other")).toBe("kept");
    expect(parseFleetQuery(params)).toEqual(query);
    expect(writeFleetQuery(DEFAULT_FLEET_QUERY, new URLSearchParams()).toString()).toBe("");
  });

  it("falls back to the defaults on anything unknown", () => {
    expect(parseFleetQuery(new URLSearchParams("sort=evil&dir=sideways&state=zombie&crashlooping=yes"))).toEqual(DEFAULT_FLEET_QUERY);
    expect(parseFleetQuery(new URLSearchParams("sort=memory")).direction).toBe("desc");
  });
});

describe("filtering the fleet", () => {
  const fleet = [
    agent("web-1", { image: "nginx:1", node: "a" }),
    agent("web-2", { state: "exited", node: "b", crashLoopingSince: "2026-12-01T11:30:00Z" }),
    agent("db", { state: "created", startedAt: null }),
    agent("busy", { pending: { kind: "restarting", action: "restart", startedBy: "op", startedAt: "x", deadlineAt: "y", stuck: false } }),
  ];
  const names = (list: ContainerView[]) => list.map((item) => item.name);
  const filter = (change: Partial<typeof DEFAULT_FLEET_QUERY>, waiting: string[] = []) => names(filterFleet(fleet, { ...DEFAULT_FLEET_QUERY, ...change }, new Set(waiting)));

  it("by a part of the name or the image, in any case", () => {
    expect(filter({ text: "WEB" })).toEqual(["web-1", "web-2"]);
    expect(filter({ text: "nginx" })).toEqual(["web-1"]);
  });
  it("by state, node, crash-looping and a waiting question, all together", () => {
    expect(filter({ state: "stopped" })).toEqual(["web-2"]);
    expect(filter({ state: "created" })).toEqual(["db"]);
    expect(filter({ state: "transient" })).toEqual(["busy"]);
    expect(filter({ node: "b" })).toEqual(["web-2"]);
    expect(filter({ crashLooping: true })).toEqual(["web-2"]);
    expect(filter({ waitingQuestion: true }, ["db", "web-1"])).toEqual(["web-1", "db"]);
    expect(filter({ waitingQuestion: true, text: "web" }, ["db", "web-1"])).toEqual(["web-1"]);
  });
});

describe("sorting the fleet", () => {
  const fleet = [
    agent("c", { startedAt: "2026-12-01T11:59:00Z", crashes: { recent: 0, total: 3, last: null } }),
    agent("a", { state: "exited", startedAt: "2026-12-01T09:00:00Z" }),
    agent("b", { startedAt: "2026-12-01T10:00:00Z", crashes: { recent: 1, total: 3, last: null } }),
  ];
  const order = (sort: (typeof DEFAULT_FLEET_QUERY)["sort"], direction: "asc" | "desc", figures = new Map()) =>
    sortFleet(fleet, { sort, direction }, now, figures).map((item) => item.name);

  it("by name, state, uptime and crashes; ties keep name order", () => {
    expect(order("name", "asc")).toEqual(["a", "b", "c"]);
    expect(order("name", "desc")).toEqual(["c", "b", "a"]);
    expect(order("state", "asc")).toEqual(["b", "c", "a"]);
    // An agent that is not up has no uptime: last, whichever the direction.
    expect(order("uptime", "desc")).toEqual(["b", "c", "a"]);
    expect(order("uptime", "asc")).toEqual(["c", "b", "a"]);
    expect(order("crashes", "desc")).toEqual(["b", "c", "a"]);
  });
  it("by CPU and memory from the sampled figures; agents without figures go last", () => {
    const figures = new Map([
      ["a", { cpuPercent: 50, memoryBytes: 10 }],
      ["c", { cpuPercent: 5, memoryBytes: 900 }],
    ]);
    expect(order("cpu", "desc", figures)).toEqual(["a", "c", "b"]);
    expect(order("cpu", "asc", figures)).toEqual(["c", "a", "b"]);
    expect(order("memory", "desc", figures)).toEqual(["c", "a", "b"]);
  });
});
