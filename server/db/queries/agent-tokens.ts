import "server-only";
import { and, desc, eq, isNull } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { agentTokens } from "../schema";

export type AgentTokenRow = typeof agentTokens.$inferSelect;

export async function insertAgentToken(db: DbOrTx, row: typeof agentTokens.$inferInsert): Promise<AgentTokenRow> {
  const [inserted] = await db.insert(agentTokens).values(row).returning();
  return inserted!;
}

export async function findActiveTokenByHash(db: DbOrTx, tokenHash: string): Promise<AgentTokenRow | undefined> {
  const rows = await db
    .select()
    .from(agentTokens)
    .where(and(eq(agentTokens.tokenHash, tokenHash), isNull(agentTokens.revokedAt)))
    .limit(1);
  return rows[0];
}

export async function listAgentTokens(db: DbOrTx, agent?: string): Promise<AgentTokenRow[]> {
  return db
    .select()
    .from(agentTokens)
    .where(agent ? eq(agentTokens.agent, agent) : undefined)
    .orderBy(desc(agentTokens.createdAt));
}

export async function revokeAgentToken(db: DbOrTx, id: string, now: Date): Promise<AgentTokenRow | undefined> {
  const rows = await db
    .update(agentTokens)
    .set({ revokedAt: now })
    .where(and(eq(agentTokens.id, id), isNull(agentTokens.revokedAt)))
    .returning();
  return rows[0];
}

export async function revokeTokensOfAgent(db: DbOrTx, agent: string, now: Date): Promise<number> {
  const rows = await db
    .update(agentTokens)
    .set({ revokedAt: now })
    .where(and(eq(agentTokens.agent, agent), isNull(agentTokens.revokedAt)))
    .returning({ id: agentTokens.id });
  return rows.length;
}

export async function touchAgentToken(db: DbOrTx, id: string, now: Date): Promise<void> {
  await db.update(agentTokens).set({ lastUsedAt: now }).where(eq(agentTokens.id, id));
}
