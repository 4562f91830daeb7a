"use client";

import type { ConfirmRequest } from "../../ui/confirm-dialog";
import { BULK_VERB as VERB, progressLine, summaryLine } from "./bulk-run";
import { BULK_ACTIONS, type BulkAction, type BulkProgress } from "./use-bulk-action";

const plural = (count: number) => `${count} agent${count === 1 ? "" : "s"}`;

/** What a bulk destroy asks first: how many, and which. */
export function bulkDestroyConfirmation(names: readonly string[], run: () => void): ConfirmRequest {
  return {
    title: `Destroy ${plural(names.length)}?`,
    body: (
      <>
        <p>
          Each container is removed (a running agent is killed first) and its logs go with it. Each state volume and stored config is kept as a
          tombstone you can revive or purge later.
        </p>
        <ul className="bulk-names" aria-label="Agents to destroy">
          {names.map((name) => (
            <li key={name} className="mono">
              {name}
            </li>
          ))}
        </ul>
      </>
    ),
    confirmLabel: `Destroy ${plural(names.length)}`,
    tone: "danger",
    onConfirm: run,
  };
}

/** The selection's actions, the running action's progress and, once it ends, its summary with every failure. */
export function BulkBar({
  selected,
  hiddenSelected,
  progress,
  onRun,
  onClear,
  onDismiss,
}: {
  selected: number;
  /** Selected agents the filter hides now: they are acted on too, so the bar says so. */
  hiddenSelected: number;
  progress: BulkProgress | null;
  onRun: (action: BulkAction) => void;
  onClear: () => void;
  onDismiss: () => void;
}) {
  if (selected === 0 && !progress) return null;
  const busy = progress !== null && !progress.finished;
  return (
    <div className="bulk-bar" role="region" aria-label="Selected agents">
      {selected > 0 ? (
        <div className="bulk-actions">
          <strong>{selected} selected</strong>
          {hiddenSelected > 0 ? <span className="muted">({hiddenSelected} hidden by the filter)</span> : null}
          <div className="actions" role="group" aria-label="Actions on the selected agents">
            {BULK_ACTIONS.map((action) => (
              <button
                key={action}
                type="button"
                className={action === "destroy" ? "btn-xs danger" : "btn-xs"}
                disabled={busy}
                onClick={() => onRun(action)}
                aria-label={`${VERB[action].label} ${plural(selected)}`}
              >
                {VERB[action].label}
              </button>
            ))}
          </div>
          <button type="button" className="btn-xs ghost" onClick={onClear} disabled={busy}>
            Clear selection
          </button>
        </div>
      ) : null}
      <div role="status" aria-live="polite" className="bulk-progress">
        {progress ? (
          progress.finished ? (
            <>
              <span>{summaryLine(progress)}</span>{" "}
              <button type="button" className="btn-xs ghost" onClick={onDismiss}>
                Dismiss
              </button>
            </>
          ) : (
            <span className="mono">{progressLine(progress)}</span>
          )
        ) : null}
      </div>
      {progress && progress.failures.length > 0 ? (
        <ul className="bulk-failures" aria-label={`Failures of the bulk ${progress.action}`}>
          {progress.failures.map((failure) => (
            <li key={failure.name}>
              <span className="mono">{failure.name}</span>: {failure.error?.message} <span className="muted mono">({failure.error?.code})</span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
