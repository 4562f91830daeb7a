import "server-only";
import { MintAgentTokenInput } from "../contracts/agents";
import { insertAgentToken } from "../db/queries/agent-tokens";
import type { DbOrTx } from "../db/client";
import type { OperatorActor } from "../http/auth";
import { hashToken, newAgentToken, newId } from "../security/tokens";

/** Mints a bearer token for an agent; the secret is returned once and only its hash is kept. */
export async function mintAgentToken({
  db,
  actor,
  input,
}: {
  db: DbOrTx;
  actor: OperatorActor | { kind: "system"; name: string };
  input: MintAgentTokenInput;
}) {
  const { agent, role } = MintAgentTokenInput.parse(input);
  const token = newAgentToken();
  const row = await insertAgentToken(db, {
    id: newId("tok"),
    agent,
    role,
    tokenHash: hashToken(token),
    createdBy: actor.name,
  });
  return { id: row.id, agent: row.agent, role: row.role, createdAt: row.createdAt.toISOString(), token };
}
