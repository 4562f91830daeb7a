import "server-only";
import { z } from "zod";
import type { ServiceCall } from "../../context";
import type { AgentActor } from "../../contracts/actors";
import { acknowledge } from "../../db/queries/agent-events";
import { publishEvent } from "../../db/queries/events";

export const AcknowledgeInboxInput = z.object({ upTo: z.number().int().min(0) });
export type AcknowledgeInboxInput = z.infer<typeof AcknowledgeInboxInput>;

/** The delivery receipt for every event up to `upTo`: operators see it beside the answer. */
export async function acknowledgeInbox({ ctx, input }: ServiceCall<AcknowledgeInboxInput, AgentActor>) {
  const { upTo } = AcknowledgeInboxInput.parse(input);
  const { agent } = ctx.actor;
  const acknowledged = await acknowledge(ctx.db, agent, upTo);
  if (acknowledged > 0) {
    await publishEvent(ctx.db, { kind: "inbox_acknowledged", agent, actor: `agent:${agent}`, detail: { upTo, count: acknowledged } });
  }
  return { acknowledged, up_to: upTo };
}
