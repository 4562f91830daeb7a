import "server-only";
import { z } from "zod";
import type { ServiceCall } from "../../context";
import type { Actor } from "../../contracts/actors";
import { LoginInput } from "../../contracts/session";
import { insertSession } from "../../db/queries/sessions";
import { HiveError } from "../../errors";
import { hashToken, newId, safeEqual, signValue } from "../../security/tokens";

export const LoginOperatorInput = LoginInput.extend({
  /** Where the attempt came from (the client's address): failures are counted per source. */
  source: z.string(),
  userAgent: z.string().nullable(),
});
export type LoginOperatorInput = z.infer<typeof LoginOperatorInput>;

/** Exchanges the operator token for a session; returns the signed cookie value. */
export async function loginOperator({ ctx, input }: ServiceCall<LoginOperatorInput, Actor | null>): Promise<{ cookie: string; expiresAt: Date }> {
  const { token, source, userAgent } = LoginOperatorInput.parse(input);
  const now = Date.now();
  // Failed tries are limited per address (ctx.credentialThrottle); a success clears the address.
  ctx.credentialThrottle.assertMayTry(source, now);
  const stored = ctx.credentials.operatorTokenHash;
  if (!stored || !safeEqual(hashToken(token.trim()), stored)) {
    throw ctx.credentialThrottle.failed(source, new HiveError("unauthorized", "that operator token is not valid"), now);
  }
  ctx.credentialThrottle.succeeded(source);
  const sessionId = newId("ses");
  const expiresAt = new Date(now + ctx.config.auth.sessionTtlMs);
  await insertSession(ctx.db, { id: sessionId, subject: "operator", expiresAt, userAgent: userAgent?.slice(0, 300) ?? null });
  return { cookie: signValue(ctx.credentials.sessionSecret, sessionId), expiresAt };
}
