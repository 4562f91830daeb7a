"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { ApprovalView } from "@/server/contracts/approvals";
import { useToast } from "../ui/toast";
import { ApiError, apiFetch } from "./api";
import { dashboardKeys } from "./keys";

const message = (error: unknown) => (error instanceof ApiError ? error.message : String(error));

export function useApproveMutation() {
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: ({ approval }: { approval: ApprovalView }) =>
      apiFetch<{ approval: ApprovalView }>(`/api/approvals/${encodeURIComponent(approval.id)}/approve`, { method: "POST", body: {} }),
    onMutate: () => setTimeout(() => void queryClient.invalidateQueries({ queryKey: dashboardKeys.all }), 80),
    onSuccess: ({ approval }) => {
      if (approval.status === "failed") toast.show("error", `Approved, but ${approval.agent} could not be ${approval.kind === "spawn" ? "created" : "changed"}: ${approval.failure}`);
      else toast.show("success", approval.kind === "spawn" ? `${approval.agent} approved and spawned` : `${approval.agent} reconfigured and rebuilt`);
    },
    onError: (error, { approval }) => toast.show("error", `Approving ${approval.agent} failed: ${message(error)}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: dashboardKeys.all }),
  });
}

export function useDenyMutation() {
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: ({ approval, note }: { approval: ApprovalView; note: string }) =>
      apiFetch(`/api/approvals/${encodeURIComponent(approval.id)}/deny`, { method: "POST", body: note.trim() ? { note: note.trim() } : {} }),
    onSuccess: (_data, { approval }) => toast.show("success", `Request for ${approval.agent} denied`),
    onError: (error, { approval }) => toast.show("error", `Denying ${approval.agent} failed: ${message(error)}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: dashboardKeys.all }),
  });
}

export function useTombstoneMutation() {
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: ({ name, action }: { name: string; action: "revive" | "purge" }) =>
      action === "revive"
        ? apiFetch(`/api/tombstones/${encodeURIComponent(name)}/revive`, { method: "POST", body: {} })
        : apiFetch(`/api/tombstones/${encodeURIComponent(name)}`, { method: "DELETE" }),
    onSuccess: (_data, { name, action }) =>
      toast.show("success", action === "revive" ? `Revival of ${name} queued for approval` : `${name} purged: its state volume is gone`),
    onError: (error, { name, action }) => toast.show("error", `${action === "revive" ? "Reviving" : "Purging"} ${name} failed: ${message(error)}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: dashboardKeys.all }),
  });
}
