import { describe, expect, it } from "vitest";
import { mergeAnswer } from "@/server/services/questions/internal/merge-answer";
import { buildQuestionViews, type QuestionRecord } from "@/server/views/questions";

const question = (id: string, extra: Partial<QuestionRecord> = {}): QuestionRecord => ({
  id,
  agent: "alpha",
  question: `${id}?`,
  options: null,
  multi: false,
  status: "pending",
  createdAt: new Date("2026-11-22T12:00:00Z"),
  deadlineAt: null,
  answer: null,
  answeredBy: null,
  resolvedAt: null,
  ...extra,
});

describe("question views", () => {
  it("puts the soonest deadline first, then questions without one by age", () => {
    const { pending } = buildQuestionViews({
      pending: [
        question("q_late", { deadlineAt: new Date("2026-11-22T13:00:00Z") }),
        question("q_none_old", { createdAt: new Date("2026-11-22T11:00:00Z") }),
        question("q_soon", { deadlineAt: new Date("2026-11-22T12:05:00Z") }),
        question("q_none_new", { createdAt: new Date("2026-11-22T11:30:00Z") }),
      ],
      resolved: [],
      receipts: new Map(),
    });
    expect(pending.map((view) => view.id)).toEqual(["q_soon", "q_late", "q_none_old", "q_none_new"]);
    expect(pending[0]).toMatchObject({ received: null, deadlineAt: "2026-11-22T12:05:00.000Z" });
  });

  it("says whether the agent has received each resolved answer", () => {
    const resolved = [
      question("q_got", { status: "answered", answer: "yes", resolvedAt: new Date() }),
      question("q_not", { status: "expired", answer: "[expired]", resolvedAt: new Date() }),
    ];
    const { recent } = buildQuestionViews({ pending: [], resolved, receipts: new Map([["q_got", new Date()], ["q_not", null]]) });
    expect(recent.map((view) => [view.id, view.received])).toEqual([
      ["q_got", true],
      ["q_not", false],
    ]);
  });

  it("merges checked options and free text with ', '", () => {
    expect(mergeAnswer(["staging", "canary"], " after 18:00 ")).toBe("staging, canary, after 18:00");
    expect(mergeAnswer([], "only text")).toBe("only text");
    expect(mergeAnswer(["only option"], "   ")).toBe("only option");
  });
});
