"use client";

import { useId, useState } from "react";
import type { ApprovalView } from "@/server/contracts/approvals";
import { useApproveMutation, useDenyMutation } from "../queries/use-approval-mutations";
import type { ConfirmRequest } from "../ui/confirm-dialog";
import { RelativeTime } from "../ui/relative-time";
import { DiffBlock } from "./diff-block";

const KIND_LABEL = (approval: ApprovalView) => (approval.kind === "config_change" ? "config change" : approval.revive ? "revive" : "spawn");

/** One request awaiting a decision: what is asked, by whom and why; approve (a spawn confirms what it creates) or deny. */
export function ApprovalCard({ approval, onConfirm }: { approval: ApprovalView; onConfirm: (request: ConfirmRequest) => void }) {
  const id = useId();
  const [note, setNote] = useState("");
  const approve = useApproveMutation();
  const deny = useDenyMutation();
  const busy = approve.isPending || deny.isPending;
  const title = `${KIND_LABEL(approval)} ${approval.agent}`;

  function onApprove() {
    if (approval.kind === "config_change") {
      approve.mutate({ approval });
      return;
    }
    onConfirm({
      title: `Create ${approval.agent}?`,
      body: (
        <>
          <p>
            Approving creates and starts <strong>{approval.agent}</strong> ({approval.role})
            {approval.revive ? " with its kept state volume" : ""}:
          </p>
          <pre className="summary-block">{approval.summary.join("\n")}</pre>
        </>
      ),
      confirmLabel: `Create ${approval.agent}`,
      onConfirm: () => approve.mutate({ approval }),
    });
  }

  return (
    <article className="approval-card" aria-label={`Request: ${title}`}>
      <header className="question-meta">
        <span className={`badge ${approval.kind === "config_change" ? "badge-warn" : ""}`}>{KIND_LABEL(approval)}</span>
        <span className="agent-name">{approval.agent}</span>
        <span className="muted">
          requested by {approval.requesterKind === "agent" ? `agent ${approval.requestedBy}` : approval.requestedBy}, <RelativeTime iso={approval.createdAt} />
        </span>
      </header>
      <p className="question-text">{approval.description}</p>
      {approval.diff ? (
        <DiffBlock lines={approval.diff} label={`Config change for ${approval.agent}`} />
      ) : (
        <details className="summary">
          <summary className="small">What will be created ({approval.summary.length} settings)</summary>
          <pre className="summary-block">{approval.summary.join("\n")}</pre>
        </details>
      )}
      <div className="decision-row">
        <button type="button" className="primary" disabled={busy} onClick={onApprove} aria-label={`Approve ${title}`}>
          {approve.isPending ? "Approving…" : "Approve"}
        </button>
        <form
          className="deny-form"
          onSubmit={(event) => {
            event.preventDefault();
            deny.mutate({ approval, note });
          }}
        >
          <label className="visually-hidden" htmlFor={`${id}-note`}>
            Note for {approval.agent} (optional)
          </label>
          <input id={`${id}-note`} type="text" placeholder="note (optional)" value={note} maxLength={1000} onChange={(event) => setNote(event.target.value)} disabled={busy} />
          <button type="submit" className="danger" disabled={busy} aria-label={`Deny ${title}`}>
            Deny
          </button>
        </form>
      </div>
    </article>
  );
}
