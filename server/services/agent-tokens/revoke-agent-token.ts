import "server-only";
import { z } from "zod";
import type { ServiceCall } from "../../context";
import type { AgentTokenView } from "../../contracts/agents";
import { revokeAgentToken as revokeQuery } from "../../db/queries/agent-tokens";
import { notFound } from "../../errors";
import { toAgentTokenView } from "./internal/agent-token-view";

export const RevokeAgentTokenInput = z.object({ id: z.string().min(1) });
export type RevokeAgentTokenInput = z.infer<typeof RevokeAgentTokenInput>;

export async function revokeAgentToken({ ctx, input }: ServiceCall<RevokeAgentTokenInput>): Promise<AgentTokenView> {
  const { id } = RevokeAgentTokenInput.parse(input);
  const row = await revokeQuery(ctx.db, id, new Date());
  if (!row) throw notFound(`no active agent token with id ${id}`);
  return toAgentTokenView(row);
}
