import "server-only";
import { and, gt, inArray, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { agentTokens, operatorSessions } from "../schema";

/** NOTIFY channel telling every replica that credentials ended, so streams and long polls riding on them close. */
export const REVOCATIONS_CHANNEL = "hive_revocations";

/** Which credentials ended; `recheck` asks every replica to check all its open streams' credentials itself. */
export type RevocationNotice = { tokens?: string[]; sessions?: string[]; recheck?: true };

// NOTIFY payloads are limited to 8000 bytes; a longer list becomes a recheck.
const MAX_PAYLOAD = 7_000;

/** Announces ended credentials (delivered when the surrounding transaction commits). */
export async function notifyRevoked(db: DbOrTx, notice: RevocationNotice): Promise<void> {
  if (!notice.recheck && !notice.tokens?.length && !notice.sessions?.length) return;
  let payload = JSON.stringify(notice);
  if (payload.length > MAX_PAYLOAD) payload = JSON.stringify({ recheck: true } satisfies RevocationNotice);
  await db.execute(sql`select pg_notify(${REVOCATIONS_CHANNEL}, ${payload})`);
}

/** Of these agent token ids, the ones still active. */
export async function activeTokenIds(db: DbOrTx, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await db.select({ id: agentTokens.id }).from(agentTokens).where(and(inArray(agentTokens.id, ids), isNull(agentTokens.revokedAt)));
  return new Set(rows.map((row) => row.id));
}

/** Of these session ids, the ones neither revoked nor expired. */
export async function liveSessionIds(db: DbOrTx, ids: string[], now: Date): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await db
    .select({ id: operatorSessions.id })
    .from(operatorSessions)
    .where(and(inArray(operatorSessions.id, ids), isNull(operatorSessions.revokedAt), gt(operatorSessions.expiresAt, now)));
  return new Set(rows.map((row) => row.id));
}
