import "server-only";
import { z } from "zod";
import type { ServiceCall } from "../../context";
import type { OperatorActor } from "../../contracts/actors";
import { WebhookId } from "../../contracts/webhooks";
import { deleteWebhook as deleteWebhookRow } from "../../db/queries/webhooks";
import { HiveError } from "../../errors";

export const DeleteWebhookInput = z.object({ id: WebhookId });

/** Deletes a webhook and its queue and log: nothing more is sent to it. */
export async function deleteWebhook({ ctx, input }: ServiceCall<z.infer<typeof DeleteWebhookInput>, OperatorActor>): Promise<{ id: string; deleted: true }> {
  const { id } = DeleteWebhookInput.parse(input);
  if (!(await deleteWebhookRow(ctx.db, id))) throw new HiveError("not_found", `no webhook ${id}`);
  return { id, deleted: true };
}
