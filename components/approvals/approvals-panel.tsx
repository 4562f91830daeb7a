"use client";

import { useState } from "react";
import type { ApprovalView } from "@/server/contracts/approvals";
import { ConfirmDialog, type ConfirmRequest } from "../ui/confirm-dialog";
import { RelativeTime } from "../ui/relative-time";
import { ApprovalCard } from "./approval-card";

const STATUS_TONE: Record<ApprovalView["status"], string> = {
  pending: "",
  approved: "receipt ok",
  denied: "badge",
  failed: "badge badge-danger",
  cancelled: "badge",
};

export function ApprovalsPanel({ pending, recent }: { pending: ApprovalView[]; recent: ApprovalView[] }) {
  const [confirm, setConfirm] = useState<ConfirmRequest | null>(null);
  return (
    <section className="section" aria-labelledby="approvals-heading">
      <div className="section-header">
        <h2 id="approvals-heading">Approvals</h2>
        <span className="count" aria-label={`${pending.length} waiting for a decision`}>
          {pending.length} waiting
        </span>
      </div>
      {pending.length === 0 ? (
        <div className="empty-state compact">No request is waiting for a decision.</div>
      ) : (
        <div className="question-list">
          {pending.map((approval) => (
            <ApprovalCard key={approval.id} approval={approval} onConfirm={setConfirm} />
          ))}
        </div>
      )}
      {recent.length > 0 ? (
        <details className="collapsible recent-questions">
          <summary>
            <span>Decided</span> <span className="count">{recent.length}</span>
          </summary>
          <table className="data" aria-label="Recently decided requests">
            <thead>
              <tr>
                <th scope="col">Request</th>
                <th scope="col">Agent</th>
                <th scope="col">Outcome</th>
                <th scope="col">By</th>
                <th scope="col">When</th>
                <th scope="col">Note</th>
              </tr>
            </thead>
            <tbody>
              {recent.map((approval) => (
                <tr key={approval.id} aria-label={`Request ${approval.id}`}>
                  <td>{approval.kind === "config_change" ? "config change" : approval.revive ? "revive" : "spawn"}</td>
                  <td className="agent-name">{approval.agent}</td>
                  <td>
                    <span className={STATUS_TONE[approval.status]}>{approval.status}</span>
                  </td>
                  <td className="muted">{approval.decidedBy}</td>
                  <td>
                    <RelativeTime iso={approval.decidedAt} />
                  </td>
                  <td className="question-cell" title={approval.failure ?? approval.note ?? ""}>
                    {approval.failure ?? approval.note ?? ""}
                  </td>
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
