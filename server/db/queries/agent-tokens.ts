import "server-only";
import { and, desc, eq, isNull, like, ne } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { agentTokens } from "../schema";
import { notifyRevoked } from "./revocations";

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
  if (rows[0]) await notifyRevoked(db, { tokens: [rows[0].id] });
  return rows[0];
}

export async function revokeTokensOfAgent(db: DbOrTx, agent: string, now: Date): Promise<number> {
  const rows = await db
    .update(agentTokens)
    .set({ revokedAt: now })
    .where(and(eq(agentTokens.agent, agent), isNull(agentTokens.revokedAt)))
    .returning({ id: agentTokens.id });
  await notifyRevoked(db, { tokens: rows.map((row) => row.id) });
  return rows.length;
}

/** Revokes an agent's tokens minted for containers (their creator starts with `mark`), except `keep`. */
export async function revokeOtherContainerTokens(db: DbOrTx, agent: string, keep: string, mark: string, now: Date): Promise<number> {
  const rows = await db
    .update(agentTokens)
    .set({ revokedAt: now })
    .where(and(eq(agentTokens.agent, agent), ne(agentTokens.id, keep), isNull(agentTokens.revokedAt), like(agentTokens.createdBy, `${mark}%`)))
    .returning({ id: agentTokens.id });
  await notifyRevoked(db, { tokens: rows.map((row) => row.id) });
  return rows.length;
}

export async function touchAgentToken(db: DbOrTx, id: string, now: Date): Promise<void> {
  await db.update(agentTokens).set({ lastUsedAt: now }).where(eq(agentTokens.id, id));
}
