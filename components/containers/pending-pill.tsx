"use client";

import type { PendingView } from "@/server/contracts/containers";
import { HalfCircleIcon } from "../ui/icons";
import { RelativeTime } from "../ui/relative-time";

/** `restarting…` (after a half-filled circle) while an action is in flight; a "stuck" badge with its owner once past its deadline. */
export function PendingPill({ pending, onClear }: { pending: PendingView; onClear?: () => void }) {
  if (!pending.stuck) {
    return (
      <span className="pill pill-pending" title={`${pending.action} started by ${pending.startedBy}`}>
        <HalfCircleIcon /> {pending.kind}…
      </span>
    );
  }
  return (
    <span className="stuck">
      <span className="badge badge-warn">
        stuck: {pending.action} by {pending.startedBy}, <RelativeTime iso={pending.startedAt} />
      </span>
      {onClear ? (
        <button type="button" className="btn-xs" onClick={onClear}>
          Clear
        </button>
      ) : null}
    </span>
  );
}
