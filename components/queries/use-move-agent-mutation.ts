"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { MovedAgentView } from "@/server/contracts/containers";
import { useToast } from "../ui/toast";
import { ApiError, apiFetch } from "./api";
import { dashboardKeys } from "./keys";

/** Moves an agent (and its state) to another node; the "moving…" pill shows at once, a toast tells how it went. */
export function useMoveAgentMutation() {
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: ({ name, node }: { name: string; node: string }) => {
      const pending = apiFetch<MovedAgentView>(`/api/agents/${encodeURIComponent(name)}/move`, { method: "POST", body: { node } });
      setTimeout(() => void queryClient.invalidateQueries({ queryKey: dashboardKeys.all }), 80);
      return pending;
    },
    onSuccess: (moved, { name }) => toast.show("success", `${name} moved from ${moved.from} to ${moved.to} with its state`),
    onError: (error, { name, node }) => toast.show("error", `moving ${name} to ${node} failed: ${error instanceof ApiError ? error.message : String(error)}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: dashboardKeys.all }),
  });
}
