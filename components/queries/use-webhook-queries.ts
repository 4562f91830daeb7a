"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { DeliveryView, WebhookEvent, WebhookView } from "@/server/contracts/webhooks";
import { apiFetch } from "./api";
import { webhookKeys } from "./keys";

export function useWebhooksQuery() {
  return useQuery({
    queryKey: webhookKeys.list(),
    queryFn: ({ signal }) => apiFetch<{ webhooks: WebhookView[] }>("/api/webhooks", { signal }),
    // The delivery log moves on its own (retries): refresh it while the section is on the page.
    refetchInterval: 5_000,
  });
}

export function useCreateWebhookMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { url: string; events: WebhookEvent[]; description: string }) =>
      apiFetch<{ webhook: WebhookView; secret: string }>("/api/webhooks", { method: "POST", body: input }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: webhookKeys.all }),
  });
}

export function useDeleteWebhookMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<{ id: string }>(`/api/webhooks/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: webhookKeys.all }),
  });
}

export function useSendTestWebhookMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<{ delivery: DeliveryView }>(`/api/webhooks/${encodeURIComponent(id)}/test`, { method: "POST" }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: webhookKeys.all }),
  });
}
