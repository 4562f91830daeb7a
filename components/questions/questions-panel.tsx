"use client";

import { useState } from "react";
import type { QuestionView } from "@/server/contracts/questions";
import { ConfirmDialog, type ConfirmRequest } from "../ui/confirm-dialog";
import { CheckIcon } from "../ui/icons";
import { RelativeTime } from "../ui/relative-time";
import { QueueList, RecentTable, Section } from "../ui/section";
import { QuestionCard } from "./question-card";

const SENTINELS = new Set(["[expired]", "[cancelled]", "[retracted]"]);

/** Questions agents are waiting on, the most urgent first; resolved ones in a collapsible "recent" list. */
export function QuestionsPanel({ pending, recent }: { pending: QuestionView[]; recent: QuestionView[] }) {
  const [confirm, setConfirm] = useState<ConfirmRequest | null>(null);
  return (
    <Section
      id="questions"
      title="Questions"
      count={
        <span className="count" aria-label={`${pending.length} waiting for an answer`}>
          {pending.length} waiting
        </span>
      }
    >
      <QueueList items={pending} empty="No agent is waiting for an answer." render={(question) => <QuestionCard key={question.id} question={question} onConfirm={setConfirm} />} />
      <RecentTable summary="Recent" label="Recently resolved questions" columns={["Agent", "Question", "Answer", "By", "When", "Agent received"]} count={recent.length}>
        {recent.map((question) => (
          <tr key={question.id} aria-label={`Question ${question.id}`}>
            <td className="agent-name">{question.agent}</td>
            <td className="question-cell" title={question.question}>
              {question.question}
            </td>
            <td>{question.answer && SENTINELS.has(question.answer) ? <span className="badge">{question.answer}</span> : question.answer}</td>
            <td className="muted">{question.answeredBy}</td>
            <td>
              <RelativeTime iso={question.resolvedAt} />
            </td>
            <td>{question.received ? <span className="receipt ok"><CheckIcon /> received</span> : <span className="receipt muted">not yet</span>}</td>
          </tr>
        ))}
      </RecentTable>
      <ConfirmDialog request={confirm} onClose={() => setConfirm(null)} />
    </Section>
  );
}
