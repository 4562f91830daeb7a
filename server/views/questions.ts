import type { QuestionView } from "../contracts/questions";

export type QuestionRecord = {
  id: string;
  agent: string;
  question: string;
  options: string[] | null;
  multi: boolean;
  status: QuestionView["status"];
  createdAt: Date;
  deadlineAt: Date | null;
  answer: string | null;
  answeredBy: string | null;
  resolvedAt: Date | null;
};

/** `received`: null while pending; else whether the agent acknowledged the event carrying the answer. */
export function toQuestionView(row: QuestionRecord, deliveredAt: Date | null | undefined): QuestionView {
  return {
    id: row.id,
    agent: row.agent,
    question: row.question,
    options: row.options,
    multi: row.multi,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
    deadlineAt: row.deadlineAt?.toISOString() ?? null,
    answer: row.answer,
    answeredBy: row.answeredBy,
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
    received: row.status === "pending" ? null : Boolean(deliveredAt),
  };
}

/** Pending questions by urgency (soonest deadline first, then the oldest), and resolved ones, newest first. */
export function buildQuestionViews(input: {
  pending: QuestionRecord[];
  resolved: QuestionRecord[];
  receipts: Map<string, Date | null>;
}): { pending: QuestionView[]; recent: QuestionView[] } {
  const byUrgency = [...input.pending].sort((a, b) => {
    const left = a.deadlineAt?.getTime() ?? Number.POSITIVE_INFINITY;
    const right = b.deadlineAt?.getTime() ?? Number.POSITIVE_INFINITY;
    return left - right || a.createdAt.getTime() - b.createdAt.getTime();
  });
  return {
    pending: byUrgency.map((row) => toQuestionView(row, null)),
    recent: input.resolved.map((row) => toQuestionView(row, input.receipts.get(row.id))),
  };
}
