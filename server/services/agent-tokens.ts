import "server-only";
import type { HiveApp } from "../app";
import type { AgentTokenView } from "../contracts/agents";
import { type AgentTokenRow, listAgentTokens as queryTokens, revokeAgentToken as revokeQuery } from "../db/queries/agent-tokens";
import { notFound } from "../errors";

const toView = (row: AgentTokenRow): AgentTokenView => ({
  id: row.id,
  agent: row.agent,
  role: row.role,
  createdAt: row.createdAt.toISOString(),
  createdBy: row.createdBy,
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  revokedAt: row.revokedAt?.toISOString() ?? null,
});

export async function listAgentTokens({ app, agent }: { app: HiveApp; agent?: string }): Promise<AgentTokenView[]> {
  return (await queryTokens(app.database.db, agent)).map(toView);
}

export async function revokeAgentToken({ app, id }: { app: HiveApp; id: string }): Promise<AgentTokenView> {
  const row = await revokeQuery(app.database.db, id, new Date());
  if (!row) throw notFound(`no active agent token with id ${id}`);
  return toView(row);
}
