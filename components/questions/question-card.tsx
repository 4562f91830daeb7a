"use client";

import { useId, useState } from "react";
import type { QuestionView } from "@/server/contracts/questions";
import { useAnswerQuestionMutation, useCancelQuestionMutation } from "../queries/use-question-mutations";
import type { ConfirmRequest } from "../ui/confirm-dialog";
import { RelativeTime } from "../ui/relative-time";
import { TtlChip } from "./ttl-chip";

/**
 * One pending question: its options (radio buttons, or checkboxes when several may be picked) and always a
 * free-text field, merged into one answer. Cancel is a separate form, so submitting the answer can never
 * trigger it.
 */
export function QuestionCard({ question, onConfirm }: { question: QuestionView; onConfirm: (request: ConfirmRequest) => void }) {
  const id = useId();
  const [choices, setChoices] = useState<string[]>([]);
  const [text, setText] = useState("");
  const answer = useAnswerQuestionMutation();
  const cancel = useCancelQuestionMutation();
  const busy = answer.isPending || cancel.isPending;
  const canSubmit = choices.length > 0 || text.trim().length > 0;

  function toggle(option: string, checked: boolean) {
    if (!question.multi) setChoices(checked ? [option] : []);
    else setChoices((current) => (checked ? [...current, option] : current.filter((choice) => choice !== option)));
  }

  return (
    <article className="question-card" aria-labelledby={`${id}-text`}>
      <header className="question-meta">
        <span className="agent-name">{question.agent}</span>
        <span className="muted">
          asked <RelativeTime iso={question.createdAt} />
        </span>
        {question.deadlineAt ? <TtlChip deadlineAt={question.deadlineAt} /> : null}
      </header>
      <p id={`${id}-text`} className="question-text">
        {question.question}
      </p>
      <form
        className="answer-form"
        aria-label={`Answer ${question.agent}'s question`}
        onSubmit={(event) => {
          event.preventDefault();
          if (!canSubmit) return;
          answer.mutate({ id: question.id, agent: question.agent, choices, text });
        }}
      >
        {question.options?.length ? (
          <fieldset className="options">
            <legend className="visually-hidden">{question.multi ? "Pick any that apply" : "Pick one"}</legend>
            {question.options.map((option) => (
              <label key={option} className="option">
                <input
                  type={question.multi ? "checkbox" : "radio"}
                  name={`${id}-choice`}
                  value={option}
                  checked={choices.includes(option)}
                  onChange={(event) => toggle(option, event.target.checked)}
                  disabled={busy}
                />
                <span>{option}</span>
              </label>
            ))}
            {!question.multi && choices.length > 0 ? (
              <button type="button" className="btn-xs ghost" onClick={() => setChoices([])}>
                Clear choice
              </button>
            ) : null}
          </fieldset>
        ) : null}
        <div className="answer-row">
          <label className="visually-hidden" htmlFor={`${id}-free`}>
            {question.options?.length ? "Or type your own answer" : "Your answer"}
          </label>
          <input
            id={`${id}-free`}
            type="text"
            placeholder={question.options?.length ? "or type your own…" : "type your answer…"}
            value={text}
            maxLength={4000}
            onChange={(event) => setText(event.target.value)}
            disabled={busy}
          />
          <button type="submit" className="primary" disabled={busy || !canSubmit}>
            {answer.isPending ? "Sending…" : "Answer"}
          </button>
        </div>
      </form>
      <form
        className="cancel-form"
        onSubmit={(event) => {
          event.preventDefault();
          onConfirm({
            title: `Cancel ${question.agent}'s question?`,
            body: (
              <p>
                The question is closed without an answer and {question.agent} receives <span className="mono">[cancelled]</span>, so it can fall
                back to its own judgement.
              </p>
            ),
            confirmLabel: "Cancel question",
            tone: "danger",
            onConfirm: () => cancel.mutate({ id: question.id, agent: question.agent }),
          });
        }}
      >
        <button type="submit" className="btn-xs ghost danger-text" disabled={busy} aria-label={`Cancel question from ${question.agent}`}>
          Cancel question
        </button>
      </form>
    </article>
  );
}
