import "server-only";
import type { ServiceCall } from "../../context";
import type { OperatorActor } from "../../contracts/actors";
import { MintAgentTokenInput } from "../../contracts/agents";
import { mintToken } from "../../credentials/agent-token";

/** Mints a bearer token for an agent; the secret is returned once and only its hash is kept. */
export async function mintAgentToken({ ctx, input }: ServiceCall<MintAgentTokenInput, OperatorActor>) {
  const { agent, role } = MintAgentTokenInput.parse(input);
  return mintToken(ctx.db, { agent, role, createdBy: ctx.actor.name });
}
