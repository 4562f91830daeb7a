import "server-only";
import type { HiveContext } from "../../context";
import type { Actor } from "../../contracts/actors";
import { findActiveTokenByHash, touchAgentToken } from "../../db/queries/agent-tokens";
import { findLiveSession } from "../../db/queries/sessions";
import { HiveError } from "../../errors";
import { AGENT_TOKEN_PREFIX, hashToken, OPERATOR_TOKEN_PREFIX, safeEqual, verifySignedValue } from "../../security/tokens";

/** The credentials a caller presented, as the HTTP layer found them. */
export type PresentedCredentials = {
  /** The Authorization header, when sent. */
  authorization: string | null;
  /** The user name from the auth proxy's identity header, only when the request came from a trusted proxy. */
  proxyIdentity: string | null;
  /** The session cookie's value, when sent. */
  sessionCookie: string | undefined;
  /** The client's address: failed credentials are limited per address (ctx.credentialThrottle). */
  source: string;
};

const lastTouched = new Map<string, number>();

/** Who is calling: an operator (session cookie, proxy identity or operator bearer token), an agent, or nobody. */
export async function resolveActor({ ctx, input }: { ctx: HiveContext; input: PresentedCredentials }): Promise<Actor | null> {
  const { authorization, proxyIdentity, sessionCookie, source } = input;
  const throttle = ctx.credentialThrottle;
  const invalidToken = () => throttle.failed(source, new HiveError("unauthorized", "invalid or revoked token"));
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw throttle.failed(source, new HiveError("unauthorized", "the Authorization header must be 'Bearer <token>'"));
    const token = match[1]!;
    if (token.startsWith(OPERATOR_TOKEN_PREFIX) || !token.startsWith(AGENT_TOKEN_PREFIX)) {
      // The one secret an operator may have chosen short: not even checked while its address must wait.
      throttle.assertMayTry(source);
      const stored = ctx.credentials.operatorTokenHash;
      if (!stored || !safeEqual(hashToken(token), stored)) throw invalidToken();
      throttle.succeeded(source);
      return { kind: "operator", name: "operator", via: "bearer" };
    }
    const row = await findActiveTokenByHash(ctx.db, hashToken(token));
    if (!row) throw invalidToken();
    const now = Date.now();
    if (now - (lastTouched.get(row.id) ?? 0) > 60_000) {
      lastTouched.set(row.id, now);
      await touchAgentToken(ctx.db, row.id, new Date(now));
    }
    return { kind: "agent", agent: row.agent, role: row.role, tokenId: row.id };
  }

  const { auth } = ctx.config;
  if (auth.mode === "proxy" && proxyIdentity) {
    const name = proxyIdentity.trim();
    if (!/^[\p{L}\p{N}._@+\- ]{1,200}$/u.test(name)) {
      throw new HiveError("unauthorized", `the ${auth.proxyUserHeader} header does not hold a valid user name`);
    }
    return { kind: "operator", name, via: "proxy" };
  }

  if (sessionCookie) {
    const sessionId = verifySignedValue(ctx.credentials.sessionSecret, sessionCookie);
    if (sessionId) {
      const session = await findLiveSession(ctx.db, sessionId, new Date());
      if (session) return { kind: "operator", name: session.subject, via: "session", sessionId, expiresAt: session.expiresAt };
    } else {
      // A forged cookie counts as a failed credential; one that merely expired or was logged out does not (it
      // can only come from a real login, and a browser keeps sending it).
      const answer = throttle.failed(source, new HiveError("unauthorized", "log in as an operator first"));
      if (answer.code === "rate_limited") throw answer;
    }
  }
  return null;
}
