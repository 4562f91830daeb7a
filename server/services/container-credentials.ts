import "server-only";
import type { HiveApp } from "../app";
import { revokeAgentToken, revokeOtherContainerTokens } from "../db/queries/agent-tokens";
import { mintAgentToken } from "./mint-agent-token";

/** Tokens minted for a container are marked, so retiring them never touches tokens an operator minted by hand. */
export const CONTAINER_TOKEN_MARK = "container:";

/**
 * A fresh agent token for a container about to be created, as the env it is injected through. Only the hash
 * is stored, so every new container gets a new token; the previous container's tokens are retired once the
 * new one runs (or the new token is revoked if it never does).
 */
export async function issueContainerCredentials(app: HiveApp, agent: string, role: "agent" | "manager", actor: string) {
  const db = app.database.db;
  const minted = await mintAgentToken({ db, actor: { kind: "system", name: `${CONTAINER_TOKEN_MARK}${actor}` }, input: { agent, role } });
  return {
    tokenId: minted.id,
    env: { HIVE_API_URL: app.config.publicApiUrl, HIVE_AGENT_TOKEN: minted.token, HIVE_AGENT_ROLE: role },
    async revoke() {
      await revokeAgentToken(db, minted.id, new Date());
    },
    async retireOthers() {
      await revokeOtherContainerTokens(db, agent, minted.id, CONTAINER_TOKEN_MARK, new Date());
    },
  };
}
