import "server-only";
import type { AgentEventView } from "../../../contracts/questions";
import type { AgentEventRow } from "../../../db/queries/agent-events";

export const INBOX_BATCH = 100;

export const toAgentEventView = (row: AgentEventRow): AgentEventView => ({
  id: row.id,
  kind: row.kind,
  payload: row.payload,
  created_at: row.createdAt.toISOString(),
});

export const isInboxOf = (agent: string) => (message: { kind: string; agent: string | null }) => message.kind === "inbox" && message.agent === agent;
