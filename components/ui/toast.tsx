"use client";

import { createContext, useCallback, useContext, useMemo, useRef, useState } from "react";
import { CrossIcon } from "./icons";

type Tone = "success" | "error" | "info";
type Toast = { id: number; tone: Tone; text: string };
type ToastApi = { show: (tone: Tone, text: string) => void };

const ToastContext = createContext<ToastApi>({ show: () => undefined });

/** Feedback for every action: a short message in a live region screen readers announce. */
export function ToastProvider({ children }: { children: React.ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const dismiss = useCallback((id: number) => setToasts((current) => current.filter((toast) => toast.id !== id)), []);
  const show = useCallback(
    (tone: Tone, text: string) => {
      const id = nextId.current++;
      setToasts((current) => [...current.slice(-4), { id, tone, text }]);
      setTimeout(() => dismiss(id), tone === "error" ? 9_000 : 4_000);
    },
    [dismiss],
  );
  const api = useMemo(() => ({ show }), [show]);
  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className="toast-region" role="status" aria-live="polite" aria-label="Notifications">
        {toasts.map((toast) => (
          <div key={toast.id} className={`toast toast-${toast.tone}`}>
            <span>{toast.text}</span>
            <button type="button" className="ghost" aria-label="Dismiss notification" onClick={() => dismiss(toast.id)}>
              <CrossIcon />
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export const useToast = () => useContext(ToastContext);
