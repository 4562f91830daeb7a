import "server-only";
import type { AgentTokenView } from "../../../contracts/agents";
import type { AgentTokenRow } from "../../../db/queries/agent-tokens";

export const toAgentTokenView = (row: AgentTokenRow): AgentTokenView => ({
  id: row.id,
  agent: row.agent,
  role: row.role,
  createdAt: row.createdAt.toISOString(),
  createdBy: row.createdBy,
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  revokedAt: row.revokedAt?.toISOString() ?? null,
});
