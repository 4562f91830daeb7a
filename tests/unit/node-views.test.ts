import { describe, expect, it } from "vitest";
import { buildNodeViews } from "@/server/views/nodes";

const node = (name: string, role: "manager" | "worker" = "worker") => ({
  name,
  role,
  availability: "active" as const,
  state: "ready" as const,
  engineReachable: true,
  engineProblem: null,
  leader: role === "manager",
  cpus: 2,
  memoryBytes: 2 ** 30,
});

describe("buildNodeViews", () => {
  it("counts each node's agents by name, lists nodes by name, and shows an empty node with 0", () => {
    const views = buildNodeViews([node("worker-b"), node("manager-a", "manager"), node("idle")], [{ node: "worker-b" }, { node: "manager-a" }, { node: "worker-b" }, { node: "gone" }]);
    expect(views.map((view) => [view.name, view.agents])).toEqual([
      ["idle", 0],
      ["manager-a", 1],
      ["worker-b", 2],
    ]);
    expect(views[1]).toMatchObject({ role: "manager", leader: true, cpus: 2, memoryBytes: 2 ** 30 });
  });
});
