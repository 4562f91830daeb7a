import "server-only";
import type { HiveContext } from "../context";
import { revokeAgentToken, revokeOtherContainerTokens } from "../db/queries/agent-tokens";
import { mintToken } from "./agent-token";

/** Tokens minted for a container are marked, so retiring them never touches tokens an operator minted by hand. */
export const CONTAINER_TOKEN_MARK = "container:";

/**
 * A fresh agent token for a container about to be created, as the env it is injected through. Only the hash
 * is stored, so every new container gets a new token; the previous container's tokens are retired once the
 * new one runs (or the new token is revoked if it never does).
 */
export async function issueContainerCredentials(ctx: HiveContext, agent: string, role: "agent" | "manager", actor: string) {
  const db = ctx.db;
  const minted = await mintToken(db, { agent, role, createdBy: `${CONTAINER_TOKEN_MARK}${actor}` });
  return {
    tokenId: minted.id,
    env: { HIVE_API_URL: ctx.config.publicApiUrl, HIVE_AGENT_TOKEN: minted.token, HIVE_AGENT_ROLE: role },
    async revoke() {
      await revokeAgentToken(db, minted.id, new Date());
    },
    async retireOthers() {
      await revokeOtherContainerTokens(db, agent, minted.id, CONTAINER_TOKEN_MARK, new Date());
    },
  };
}
