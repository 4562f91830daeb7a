import "server-only";
import type { HiveConfig } from "../config";
import { SESSION_COOKIE } from "./auth";
import { forwardedProto } from "./forwarded";

/**
 * Where the session cookie applies: Secure when operators reach the dashboard over https (the public URL says so,
 * or a trusted proxy does), and only under the base path, so two dashboards on one host keep their sessions apart.
 */
export type CookieScope = { secure: boolean; path: string };

export function cookieScope(request: Request, config: HiveConfig): CookieScope {
  const secure = config.publicUrl.startsWith("https:") || forwardedProto(request, config.auth.trustedProxies) === "https";
  return { secure, path: config.basePath || "/" };
}

function attributes(scope: CookieScope): string[] {
  return [`Path=${scope.path}`, "HttpOnly", "SameSite=Strict", ...(scope.secure ? ["Secure"] : [])];
}

export function sessionCookie(value: string, expiresAt: Date, scope: CookieScope): string {
  return [`${SESSION_COOKIE}=${encodeURIComponent(value)}`, ...attributes(scope), `Expires=${expiresAt.toUTCString()}`].join("; ");
}

export function clearedSessionCookie(scope: CookieScope): string {
  return [`${SESSION_COOKIE}=`, ...attributes(scope), "Max-Age=0"].join("; ");
}
