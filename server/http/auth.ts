import "server-only";
import { BlockList, isIPv4, isIPv6 } from "node:net";
import type { HiveApp } from "../app";
import { findActiveTokenByHash, touchAgentToken } from "../db/queries/agent-tokens";
import { findLiveSession } from "../db/queries/sessions";
import { HiveError } from "../errors";
import {
  AGENT_TOKEN_PREFIX,
  hashToken,
  OPERATOR_TOKEN_PREFIX,
  safeEqual,
  verifySignedValue,
} from "../security/tokens";

export const SESSION_COOKIE = "hive_session";
/** Set by server.mjs from the socket; any copy sent by a client is removed first. */
export const REMOTE_ADDRESS_HEADER = "x-hive-remote-addr";

export type OperatorActor = { kind: "operator"; name: string; via: "session" | "bearer" | "proxy"; sessionId?: string };
export type AgentActor = { kind: "agent"; agent: string; role: "agent" | "manager"; tokenId: string };
export type Actor = OperatorActor | AgentActor;

export const describeActor = (actor: Actor | null) =>
  actor === null ? "anonymous" : actor.kind === "operator" ? actor.name : `agent:${actor.agent}`;

function normalizeAddress(address: string): string {
  return address.startsWith("::ffff:") && isIPv4(address.slice(7)) ? address.slice(7) : address;
}

const blockLists = new WeakMap<string[], BlockList>();
function trustedProxyList(entries: string[]): BlockList {
  let list = blockLists.get(entries);
  if (!list) {
    list = new BlockList();
    for (const entry of entries) {
      const [address = "", prefix] = entry.split("/");
      const family = isIPv6(address) ? "ipv6" : "ipv4";
      if (prefix === undefined) list.addAddress(normalizeAddress(address), family);
      else list.addSubnet(address, Number(prefix), family);
    }
    blockLists.set(entries, list);
  }
  return list;
}

export function isTrustedProxy(address: string | null, entries: string[]): boolean {
  if (!address) return false;
  const normalized = normalizeAddress(address);
  const family = isIPv6(normalized) ? "ipv6" : isIPv4(normalized) ? "ipv4" : null;
  return family !== null && trustedProxyList(entries).check(normalized, family);
}

export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
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
    const remote = request.headers.get(REMOTE_ADDRESS_HEADER);
    if (identity && isTrustedProxy(remote, auth.trustedProxies)) {
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
      if (session) return { kind: "operator", name: session.subject, via: "session", sessionId };
    }
  }
  return null;
}

/** Ambient credentials (cookies, proxy identity) are what a cross-site request could ride on. */
export const usesAmbientCredentials = (request: Request) => !request.headers.get("authorization");

/**
 * A state-changing browser request must come from our own origin: Sec-Fetch-Site when the browser sends it,
 * else the Origin header compared with the host the request was sent to.
 */
export function isSameOrigin(request: Request, publicUrl: string): boolean {
  const fetchSite = request.headers.get("sec-fetch-site");
  if (fetchSite) return fetchSite === "same-origin";
  const origin = request.headers.get("origin");
  if (!origin || origin === "null") return false;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return false;
  }
  const hosts = [request.headers.get("host"), request.headers.get("x-forwarded-host")?.split(",")[0]?.trim()];
  try {
    hosts.push(new URL(publicUrl).host);
  } catch {
    // the configured public URL was validated at start
  }
  return hosts.some((host) => host && host.toLowerCase() === originHost.toLowerCase());
}
