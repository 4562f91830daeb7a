"use client";

import { useState } from "react";
import type { QuestionView } from "@/server/contracts/questions";
import { ConfirmDialog, type ConfirmRequest } from "../ui/confirm-dialog";
import { RelativeTime } from "../ui/relative-time";
import { QuestionCard } from "./question-card";

const SENTINELS = new Set(["[expired]", "[cancelled]", "[retracted]"]);

/** Questions agents are waiting on, the most urgent first; resolved ones in a collapsible "recent" list. */
export function QuestionsPanel({ pending, recent }: { pending: QuestionView[]; recent: QuestionView[] }) {
  const [confirm, setConfirm] = useState<ConfirmRequest | null>(null);
  return (
    <section className="section" aria-labelledby="questions-heading">
      <div className="section-header">
        <h2 id="questions-heading">Questions</h2>
        <span className="count" aria-label={`${pending.length} waiting for an answer`}>
          {pending.length} waiting
        </span>
      </div>
      {pending.length === 0 ? (
        <div className="empty-state compact">No agent is waiting for an answer.</div>
      ) : (
        <div className="question-list">
          {pending.map((question) => (
            <QuestionCard key={question.id} question={question} onConfirm={setConfirm} />
          ))}
        </div>
      )}
      {recent.length > 0 ? (
        <details className="collapsible recent-questions">
          <summary>
            <span>Recent</span> <span className="count">{recent.length}</span>
          </summary>
          <table className="data" aria-label="Recently resolved questions">
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Question</th>
                <th scope="col">Answer</th>
                <th scope="col">By</th>
                <th scope="col">When</th>
                <th scope="col">Agent received</th>
              </tr>
            </thead>
            <tbody>
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
                  <td>{question.received ? <span className="receipt ok">✓ received</span> : <span className="receipt muted">not yet</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
      <ConfirmDialog request={confirm} onClose={() => setConfirm(null)} />
    </section>
  );
}
