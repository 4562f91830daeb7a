import "server-only";
import type { HiveApp } from "../app";
import { findActiveTokenByHash, touchAgentToken } from "../db/queries/agent-tokens";
import { findLiveSession } from "../db/queries/sessions";
import { HiveError } from "../errors";
import { isTrustedProxy, peerAddress } from "./forwarded";
import {
  AGENT_TOKEN_PREFIX,
  hashToken,
  OPERATOR_TOKEN_PREFIX,
  safeEqual,
  verifySignedValue,
} from "../security/tokens";

export const SESSION_COOKIE = "hive_session";

export type OperatorActor = { kind: "operator"; name: string; via: "session" | "bearer" | "proxy"; sessionId?: string; expiresAt?: Date };
export type AgentActor = { kind: "agent"; agent: string; role: "agent" | "manager"; tokenId: string };
export type Actor = OperatorActor | AgentActor;

export const describeActor = (actor: Actor | null) =>
  actor === null ? "anonymous" : actor.kind === "operator" ? actor.name : `agent:${actor.agent}`;

export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key !== name) continue;
    try {
      return decodeURIComponent(rest.join("="));
    } catch {
      return undefined; // a malformed escape is no session, not a server error
    }
  }
  return undefined;
}

const lastTouched = new Map<string, number>();

/** Who is calling: an operator (session cookie, proxy identity or operator bearer token), an agent, or nobody. */
export async function resolveActor(app: HiveApp, request: Request): Promise<Actor | null> {
  const authorization = request.headers.get("authorization");
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw new HiveError("unauthorized", "the Authorization header must be 'Bearer <token>'");
    const token = match[1]!;
    if (token.startsWith(OPERATOR_TOKEN_PREFIX) || !token.startsWith(AGENT_TOKEN_PREFIX)) {
      const stored = app.credentials.operatorTokenHash;
      if (stored && safeEqual(hashToken(token), stored)) return { kind: "operator", name: "operator", via: "bearer" };
      throw new HiveError("unauthorized", "invalid or revoked token");
    }
    const row = await findActiveTokenByHash(app.database.db, hashToken(token));
    if (!row) throw new HiveError("unauthorized", "invalid or revoked token");
    const now = Date.now();
    if (now - (lastTouched.get(row.id) ?? 0) > 60_000) {
      lastTouched.set(row.id, now);
      await touchAgentToken(app.database.db, row.id, new Date(now));
    }
    return { kind: "agent", agent: row.agent, role: row.role, tokenId: row.id };
  }

  const { auth } = app.config;
  if (auth.mode === "proxy") {
    const identity = request.headers.get(auth.proxyUserHeader);
    if (identity && isTrustedProxy(peerAddress(request), auth.trustedProxies)) {
      const name = identity.trim();
      if (!/^[\p{L}\p{N}._@+\- ]{1,200}$/u.test(name)) {
        throw new HiveError("unauthorized", `the ${auth.proxyUserHeader} header does not hold a valid user name`);
      }
      return { kind: "operator", name, via: "proxy" };
    }
  }

  const cookie = readCookie(request, SESSION_COOKIE);
  if (cookie) {
    const sessionId = verifySignedValue(app.credentials.sessionSecret, cookie);
    if (sessionId) {
      const session = await findLiveSession(app.database.db, sessionId, new Date());
      if (session) return { kind: "operator", name: session.subject, via: "session", sessionId, expiresAt: session.expiresAt };
    }
  }
  return null;
}

/** Ambient credentials (cookies, proxy identity) are what a cross-site request could ride on. */
export const usesAmbientCredentials = (request: Request) => !request.headers.get("authorization");

/**
 * A state-changing browser request must come from our own origin: its Origin must be one of the configured
 * public origins (never compared with the request's own Host or X-Forwarded-Host, which the client or a
 * rebinding DNS name controls). Without an Origin, the browser's Sec-Fetch-Site must say same-origin.
 */
export function isSameOrigin(request: Request, publicOrigins: readonly string[]): boolean {
  const fetchSite = request.headers.get("sec-fetch-site");
  if (fetchSite && fetchSite !== "same-origin") return false;
  const origin = request.headers.get("origin");
  if (origin === null) return fetchSite === "same-origin";
  let normalized: string;
  try {
    normalized = new URL(origin).origin;
  } catch {
    return false;
  }
  return normalized !== "null" && publicOrigins.includes(normalized);
}
