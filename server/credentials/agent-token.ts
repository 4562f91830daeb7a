import "server-only";
import { insertAgentToken } from "../db/queries/agent-tokens";
import type { DbOrTx } from "../db/client";
import { hashToken, newAgentToken, newId } from "../security/tokens";

/** A new bearer token for an agent: the secret is returned once and only its hash is kept. */
export async function mintToken(db: DbOrTx, grant: { agent: string; role: "agent" | "manager"; createdBy: string }) {
  const token = newAgentToken();
  const row = await insertAgentToken(db, { id: newId("tok"), agent: grant.agent, role: grant.role, tokenHash: hashToken(token), createdBy: grant.createdBy });
  return { id: row.id, agent: row.agent, role: row.role, createdAt: row.createdAt.toISOString(), token };
}
