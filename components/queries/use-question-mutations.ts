"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useToast } from "../ui/toast";
import { ApiError, apiFetch } from "./api";
import { dashboardKeys } from "./keys";

function describeError(error: unknown): string {
  if (error instanceof ApiError && error.code === "question_resolved") {
    return `someone was faster: the question is already ${String(error.details.status)} (${String(error.details.answer)})`;
  }
  return error instanceof ApiError ? error.message : String(error);
}

export function useAnswerQuestionMutation() {
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: ({ id, choices, text }: { id: string; agent: string; choices: string[]; text: string }) =>
      apiFetch(`/api/questions/${encodeURIComponent(id)}/answer`, { method: "POST", body: { choices, text } }),
    onSuccess: (_data, { agent }) => toast.show("success", `Answer sent to ${agent}`),
    onError: (error, { agent }) => toast.show("error", `Answer to ${agent} not sent: ${describeError(error)}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: dashboardKeys.all }),
  });
}

export function useCancelQuestionMutation() {
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: ({ id }: { id: string; agent: string }) => apiFetch(`/api/questions/${encodeURIComponent(id)}/cancel`, { method: "POST", body: {} }),
    onSuccess: (_data, { agent }) => toast.show("success", `Question of ${agent} cancelled; it receives [cancelled]`),
    onError: (error, { agent }) => toast.show("error", `Cancel for ${agent} failed: ${describeError(error)}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: dashboardKeys.all }),
  });
}
