import { describe, expect, it } from "vitest";
import { toAgentApprovalView, toApprovalView } from "@/server/views/approvals";

const row = (previous: Record<string, unknown> | null, config: Record<string, unknown>) =>
  ({
    id: "apr_testtest",
    kind: previous ? "config_change" : "spawn",
    agent: "target",
    role: "agent",
    requestedBy: "boss",
    requesterKind: "agent",
    description: "why",
    config,
    previousConfig: previous,
    revive: false,
    status: "pending",
    createdAt: new Date(0),
    decidedBy: null,
    decidedAt: null,
    note: null,
    failure: null,
  }) as Parameters<typeof toApprovalView>[0];

describe("approval views", () => {
  const previous = { image: "img", env: { KEY: "old-secret", MODE: "slow" }, secretEnv: ["KEY"] };

  it("masks secret values for operators and marks a secret that changes", () => {
    const same = toApprovalView(row(previous, { image: "img", env: { KEY: "old-secret", MODE: "fast" }, secretEnv: ["KEY"] }));
    expect(same.diff).toContainEqual({ op: " ", text: "env.KEY: [secret]" });
    const rotated = toApprovalView(row(previous, { image: "img", env: { KEY: "new-secret", MODE: "slow" }, secretEnv: ["KEY"] }));
    expect(rotated.diff).toEqual(expect.arrayContaining([{ op: "-", text: "env.KEY: [secret]" }, { op: "+", text: "env.KEY: [secret, changed]" }]));
    expect(JSON.stringify([same, rotated])).not.toMatch(/old-secret|new-secret/);
  });

  it("gives the requesting agent no env value and no diff", () => {
    const view = toAgentApprovalView(row(previous, { image: "img", env: { KEY: "old-secret", MODE: "slow" }, secretEnv: ["KEY"] }));
    expect(view.diff).toBeNull();
    expect(view.summary).toEqual(['image: "img"', "env.KEY: [hidden]", "env.MODE: [hidden]"]);
  });
});
