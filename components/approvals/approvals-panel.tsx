"use client";

import { useState } from "react";
import type { ApprovalView } from "@/server/contracts/approvals";
import { ConfirmDialog, type ConfirmRequest } from "../ui/confirm-dialog";
import { RelativeTime } from "../ui/relative-time";
import { QueueList, RecentTable, Section } from "../ui/section";
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
    <Section
      id="approvals"
      title="Approvals"
      count={
        <span className="count" aria-label={`${pending.length} waiting for a decision`}>
          {pending.length} waiting
        </span>
      }
    >
      <QueueList items={pending} empty="No request is waiting for a decision." render={(approval) => <ApprovalCard key={approval.id} approval={approval} onConfirm={setConfirm} />} />
      <RecentTable summary="Decided" label="Recently decided requests" columns={["Request", "Agent", "Outcome", "By", "When", "Note"]} count={recent.length}>
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
      </RecentTable>
      <ConfirmDialog request={confirm} onClose={() => setConfirm(null)} />
    </Section>
  );
}
