import "server-only";
import type { HiveContext } from "../context";
import { revokeAgentToken, revokeOtherContainerTokens } from "../db/queries/agent-tokens";
import { mintToken } from "./agent-token";

/** Tokens minted for a container are marked, so retiring them never touches tokens an operator minted by hand. */
export const CONTAINER_TOKEN_MARK = "container:";

/** Where the agents' MCP endpoint answers, below the public API URL. */
export const AGENT_MCP_PATH = "/api/agent/mcp";

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
    env: {
      HIVE_API_URL: ctx.config.publicApiUrl,
      // Built from the same public API URL (base path included), so an MCP client needs no second setting.
      HIVE_MCP_URL: `${ctx.config.publicApiUrl}${AGENT_MCP_PATH}`,
      HIVE_AGENT_TOKEN: minted.token,
      HIVE_AGENT_ROLE: role,
    },
    async revoke() {
      await revokeAgentToken(db, minted.id, new Date());
    },
    async retireOthers() {
      await revokeOtherContainerTokens(db, agent, minted.id, CONTAINER_TOKEN_MARK, new Date());
    },
  };
}
