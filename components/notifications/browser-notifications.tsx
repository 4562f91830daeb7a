"use client";

import { useEffect, useRef, useState } from "react";
import type { ApprovalView } from "@/server/contracts/approvals";
import type { QuestionView } from "@/server/contracts/questions";
import { useToast } from "../ui/toast";

const STORAGE_KEY = "hive.browserNotifications";

type Waiting = { id: string; title: string; body: string };

function waitingItems(questions: QuestionView[], approvals: ApprovalView[]): Waiting[] {
  return [
    ...questions.map((question) => ({ id: `question:${question.id}`, title: `${question.agent} asks`, body: question.question.slice(0, 200) })),
    ...approvals.map((approval) => ({
      id: `approval:${approval.id}`,
      title: `Approval waiting: ${approval.kind === "spawn" ? "spawn" : "config change"} of ${approval.agent}`,
      body: approval.description.slice(0, 200),
    })),
  ];
}

/**
 * Opt-in: a browser notification for each question or approval that starts waiting while the tab is hidden. The
 * browser's permission is asked only when the operator clicks; the choice is kept in this browser.
 */
export function BrowserNotificationsToggle({ questions, approvals }: { questions: QuestionView[]; approvals: ApprovalView[] }) {
  const toast = useToast();
  const [supported, setSupported] = useState(false);
  const [enabled, setEnabled] = useState(false);
  const seen = useRef<Set<string> | null>(null);

  useEffect(() => {
    const available = typeof window !== "undefined" && "Notification" in window;
    setSupported(available);
    setEnabled(available && window.localStorage.getItem(STORAGE_KEY) === "on" && Notification.permission === "granted");
  }, []);

  useEffect(() => {
    const items = waitingItems(questions, approvals);
    // What already waits when the page opens is on the page: only what arrives later is news.
    if (seen.current === null) {
      seen.current = new Set(items.map((item) => item.id));
      return;
    }
    for (const item of items) {
      if (seen.current.has(item.id)) continue;
      seen.current.add(item.id);
      if (!enabled || document.visibilityState !== "hidden" || Notification.permission !== "granted") continue;
      try {
        const notification = new Notification(item.title, { body: item.body, tag: item.id });
        notification.onclick = () => window.focus();
      } catch {
        // Some browsers only notify from a service worker; the page still shows it.
      }
    }
  }, [questions, approvals, enabled]);

  if (!supported) return null;
  const toggle = async () => {
    if (enabled) {
      window.localStorage.setItem(STORAGE_KEY, "off");
      setEnabled(false);
      return;
    }
    const permission = Notification.permission === "granted" ? "granted" : await Notification.requestPermission();
    if (permission !== "granted") {
      toast.show("error", "The browser blocks notifications for this site: allow them in its site settings first.");
      return;
    }
    window.localStorage.setItem(STORAGE_KEY, "on");
    setEnabled(true);
    toast.show("success", "You will be notified of questions and approvals waiting while this tab is hidden.");
  };
  return (
    <button type="button" className="btn-xs notify-toggle" aria-pressed={enabled} onClick={() => void toggle()} title="Browser notifications for questions and approvals waiting while this tab is hidden">
      Notifications
    </button>
  );
}
