import "server-only";
import type { HiveContext } from "../context";
import type { Actor } from "../contracts/actors";
import { resolveActor as resolveCredentials } from "../services/auth/resolve-actor";
import { clientAddress, isTrustedProxy, peerAddress } from "./forwarded";
export const SESSION_COOKIE = "hive_session";

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

/** Who is calling, from the request's credentials (the proxy identity only when the proxy is trusted). */
export async function resolveActor(ctx: HiveContext, request: Request): Promise<Actor | null> {
  const { auth } = ctx.config;
  const identity = auth.mode === "proxy" ? request.headers.get(auth.proxyUserHeader) : null;
  const trusted = identity !== null && isTrustedProxy(peerAddress(request), auth.trustedProxies);
  return resolveCredentials({
    ctx,
    input: {
      authorization: request.headers.get("authorization"),
      proxyIdentity: trusted ? identity : null,
      sessionCookie: readCookie(request, SESSION_COOKIE),
      source: clientAddress(request, auth.trustedProxies),
    },
  });
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
