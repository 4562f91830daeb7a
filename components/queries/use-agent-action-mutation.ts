"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useToast } from "../ui/toast";
import { ApiError, apiFetch } from "./api";
import { dashboardKeys } from "./keys";

export type AgentAction = "start" | "stop" | "restart" | "rebuild" | "kill" | "destroy" | "purge" | "clear";

const PAST: Record<AgentAction, string> = {
  start: "started",
  stop: "stopped",
  restart: "restarted",
  rebuild: "rebuilt",
  kill: "killed",
  destroy: "destroyed (its state volume is kept)",
  purge: "purged",
  clear: "cleared of its stuck action",
};

/** The route and method of an action on one agent. */
export function agentActionRequest(action: AgentAction, name: string): { path: string; method: string } {
  const base = `/api/agents/${encodeURIComponent(name)}`;
  if (action === "destroy") return { path: base, method: "DELETE" };
  if (action === "purge") return { path: `${base}?purge=true`, method: "DELETE" };
  if (action === "clear") return { path: `${base}/transient`, method: "DELETE" };
  return { path: `${base}/${action}`, method: "POST" };
}

/** Runs a lifecycle action; the state refreshes at once (the pill appears) and a toast reports the outcome. */
export function useAgentActionMutation() {
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: async ({ action, name }: { action: AgentAction; name: string }) => {
      const { path, method } = agentActionRequest(action, name);
      const pending = apiFetch(path, { method, body: method === "POST" ? {} : undefined });
      // The in-flight pill is in the database as soon as the server takes the slot: show it now.
      setTimeout(() => void queryClient.invalidateQueries({ queryKey: dashboardKeys.all }), 80);
      return pending;
    },
    onSuccess: (_data, { action, name }) => toast.show("success", `${name} ${PAST[action]}`),
    onError: (error, { action, name }) => {
      const message = error instanceof ApiError ? error.message : String(error);
      toast.show("error", `${action} ${name} failed: ${message}`);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: dashboardKeys.all }),
  });
}
