"use client";

import { useEffect, useId, useRef, useState } from "react";

export type ConfirmRequest = {
  title: string;
  body: React.ReactNode;
  confirmLabel: string;
  tone?: "danger" | "normal";
  /** When set, the operator must type this exact text to enable the confirm button. */
  typeToConfirm?: string;
  onConfirm: () => void;
};

/** A modal confirmation (native <dialog>: focus trap, Escape closes) that says exactly what will happen. */
export function ConfirmDialog({ request, onClose }: { request: ConfirmRequest | null; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState("");
  const titleId = useId();
  const bodyId = useId();
  const inputId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (request && !dialog.open) {
      setTyped("");
      dialog.showModal();
    } else if (!request && dialog.open) dialog.close();
  }, [request]);

  const ready = !request?.typeToConfirm || typed === request.typeToConfirm;
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId} aria-describedby={bodyId} onClose={onClose}>
      {request ? (
        <form
          method="dialog"
          onSubmit={(event) => {
            event.preventDefault();
            if (!ready) return;
            request.onConfirm();
            onClose();
          }}
        >
          <h2 id={titleId}>{request.title}</h2>
          <div id={bodyId} className="dialog-body">
            {request.body}
          </div>
          {request.typeToConfirm ? (
            <div className="field">
              <label htmlFor={inputId}>
                Type <strong className="mono">{request.typeToConfirm}</strong> to confirm
              </label>
              <input id={inputId} type="text" autoComplete="off" value={typed} onChange={(event) => setTyped(event.target.value)} autoFocus />
            </div>
          ) : null}
          <div className="dialog-actions">
            <button type="button" onClick={onClose} autoFocus={!request.typeToConfirm}>
              Cancel
            </button>
            <button type="submit" className={request.tone === "danger" ? "danger-solid" : "primary"} disabled={!ready}>
              {request.confirmLabel}
            </button>
          </div>
        </form>
      ) : null}
    </dialog>
  );
}
