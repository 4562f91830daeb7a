"use client";

import { type FormEvent, useState } from "react";
import { type DeliveryView, WEBHOOK_EVENTS, type WebhookEvent, type WebhookView } from "@/server/contracts/webhooks";
import { ApiError } from "../queries/api";
import { useCreateWebhookMutation, useDeleteWebhookMutation, useSendTestWebhookMutation, useWebhooksQuery } from "../queries/use-webhook-queries";
import { ConfirmDialog, type ConfirmRequest } from "../ui/confirm-dialog";
import { RelativeTime } from "../ui/relative-time";
import { Section } from "../ui/section";
import { useToast } from "../ui/toast";

const EVENT_LABEL: Record<WebhookEvent, string> = {
  "agent.crashed": "Crash",
  "agent.crash_looping": "Crash-looping",
  "question.waiting": "Question waiting",
  "question.expiring": "Question about to expire",
  "approval.waiting": "Approval waiting",
  "engine.down": "Engine down",
  "engine.up": "Engine back up",
};

const STATUS_TONE: Record<DeliveryView["status"], string> = { delivered: "pill-ok", pending: "pill-warn", delivering: "pill-info", failed: "pill-danger" };

function DeliveryLog({ webhook }: { webhook: WebhookView }) {
  if (webhook.recentDeliveries.length === 0) return <p className="muted">No deliveries yet.</p>;
  return (
    <table className="data compact" aria-label={`Deliveries to ${webhook.url}`}>
      <thead>
        <tr>
          <th scope="col">Event</th>
          <th scope="col">Status</th>
          <th scope="col">Attempts</th>
          <th scope="col">Last answer</th>
          <th scope="col">When</th>
        </tr>
      </thead>
      <tbody>
        {webhook.recentDeliveries.map((delivery) => (
          <tr key={delivery.id}>
            <td className="mono">{delivery.eventType}</td>
            <td>
              <span className={`pill ${STATUS_TONE[delivery.status]}`}>{delivery.status}</span>
              {delivery.nextAttemptAt ? (
                <span className="muted">
                  {" "}
                  retry <RelativeTime iso={delivery.nextAttemptAt} />
                </span>
              ) : null}
            </td>
            <td>{delivery.attempts}</td>
            <td className="mono delivery-answer" title={delivery.lastResponse ?? undefined}>
              {delivery.lastStatus ?? "—"} {delivery.lastError && !delivery.lastStatus ? <span className="muted">{delivery.lastError}</span> : null}
              {delivery.lastResponse ? <span className="muted"> {delivery.lastResponse.slice(0, 60)}</span> : null}
            </td>
            <td>{delivery.lastAttemptAt ? <RelativeTime iso={delivery.lastAttemptAt} /> : <span className="muted">queued</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function WebhookItem({ webhook, onConfirm }: { webhook: WebhookView; onConfirm: (request: ConfirmRequest) => void }) {
  const toast = useToast();
  const sendTest = useSendTestWebhookMutation();
  const remove = useDeleteWebhookMutation();
  return (
    <li className="webhook" aria-label={`Webhook ${webhook.url}`}>
      <div className="webhook-head">
        <span className="mono webhook-url">{webhook.url}</span>
        <span className="muted mono">secret {webhook.secretHint}</span>
        <div className="actions">
          <button
            type="button"
            className="btn-xs"
            disabled={sendTest.isPending}
            aria-label={`Send test to ${webhook.url}`}
            onClick={() =>
              sendTest.mutate(webhook.id, {
                onSuccess: () => toast.show("info", "Test delivery queued: see the log below"),
                onError: (error) => toast.show("error", `Test not sent: ${error.message}`),
              })
            }
          >
            Send test
          </button>
          <button
            type="button"
            className="btn-xs danger"
            aria-label={`Delete webhook ${webhook.url}`}
            onClick={() =>
              onConfirm({
                title: "Delete this webhook?",
                body: <p>Nothing more is sent to <span className="mono">{webhook.url}</span>; its queued deliveries and log are deleted.</p>,
                confirmLabel: "Delete webhook",
                tone: "danger",
                onConfirm: () => remove.mutate(webhook.id, { onError: (error) => toast.show("error", `Not deleted: ${error.message}`) }),
              })
            }
          >
            Delete
          </button>
        </div>
      </div>
      <div className="webhook-events">
        {webhook.events.map((event) => (
          <span key={event} className="badge">
            {EVENT_LABEL[event]}
          </span>
        ))}
        {webhook.description ? <span className="muted">{webhook.description}</span> : null}
      </div>
      <DeliveryLog webhook={webhook} />
    </li>
  );
}

function AddWebhookForm() {
  const create = useCreateWebhookMutation();
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<WebhookEvent[]>(["agent.crashed", "agent.crash_looping", "engine.down", "engine.up"]);
  const [secret, setSecret] = useState<string | null>(null);
  const error = create.error instanceof ApiError ? create.error : null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSecret(null);
    create.mutate({ url, events, description: "" }, { onSuccess: (created) => (setSecret(created.secret), setUrl("")) });
  };
  return (
    <form className="webhook-form" onSubmit={submit} aria-label="Add a webhook">
      <label className="field">
        <span>Endpoint URL</span>
        <input type="url" required value={url} onChange={(event) => setUrl(event.target.value)} placeholder="https://hooks.example.com/hive" />
      </label>
      <fieldset className="webhook-event-choices">
        <legend>Events</legend>
        {WEBHOOK_EVENTS.map((event) => (
          <label key={event} className="checkbox">
            <input
              type="checkbox"
              checked={events.includes(event)}
              onChange={(change) => setEvents((current) => (change.target.checked ? [...current, event] : current.filter((item) => item !== event)))}
            />
            {EVENT_LABEL[event]}
          </label>
        ))}
      </fieldset>
      <button type="submit" className="primary" disabled={create.isPending || events.length === 0}>
        Add webhook
      </button>
      {error ? (
        <p className="form-error" role="alert">
          {error.message}
        </p>
      ) : null}
      {secret ? (
        <div className="banner banner-warn webhook-secret" role="status">
          Signing secret (shown once; bodies are signed with HMAC-SHA256, see docs/webhooks.md): <code className="mono">{secret}</code>
        </div>
      ) : null}
    </form>
  );
}

/** Outgoing webhooks: where trouble is announced when nobody watches the page, with each one's delivery log. */
export function WebhooksPanel() {
  const { data, error } = useWebhooksQuery();
  const [confirm, setConfirm] = useState<ConfirmRequest | null>(null);
  return (
    <Section id="webhooks" title="Webhooks" count={data ? <span className="count">{data.webhooks.length}</span> : null}>
      <details className="collapsible">
        <summary>Add a webhook</summary>
        <AddWebhookForm />
      </details>
      {error ? <p className="form-error">Webhooks unavailable: {error.message}</p> : null}
      {data && data.webhooks.length > 0 ? (
        <ul className="webhook-list" aria-label="Webhooks">
          {data.webhooks.map((webhook) => (
            <WebhookItem key={webhook.id} webhook={webhook} onConfirm={setConfirm} />
          ))}
        </ul>
      ) : data ? (
        <p className="muted">No webhooks: crashes, waiting questions and engine outages are shown on this page only.</p>
      ) : null}
      <ConfirmDialog request={confirm} onClose={() => setConfirm(null)} />
    </Section>
  );
}
