import "server-only";
import { z } from "zod";
import type { ServiceCall } from "../../context";
import type { AgentTokenView } from "../../contracts/agents";
import { AgentName } from "../../contracts/common";
import { listAgentTokens as queryTokens } from "../../db/queries/agent-tokens";
import { toAgentTokenView } from "./internal/agent-token-view";

export const ListAgentTokensInput = z.object({ agent: AgentName.optional() });
export type ListAgentTokensInput = z.infer<typeof ListAgentTokensInput>;

/** Agent tokens (of one agent, or all), without their secrets. */
export async function listAgentTokens({ ctx, input }: ServiceCall<ListAgentTokensInput>): Promise<AgentTokenView[]> {
  const { agent } = ListAgentTokensInput.parse(input);
  return (await queryTokens(ctx.db, agent)).map(toAgentTokenView);
}
