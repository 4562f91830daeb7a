import "server-only";
import type { HiveConfig } from "../config";
import { SESSION_COOKIE } from "./auth";
import { forwardedProto } from "./forwarded";

/** Secure when operators reach the dashboard over https: the public URL says so, or a trusted proxy does. */
export function cookiesAreSecure(request: Request, config: HiveConfig): boolean {
  return config.publicUrl.startsWith("https:") || forwardedProto(request, config.auth.trustedProxies) === "https";
}

export function sessionCookie(value: string, expiresAt: Date, secure: boolean): string {
  const parts = [
    `${SESSION_COOKIE}=${encodeURIComponent(value)}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Strict",
    `Expires=${expiresAt.toUTCString()}`,
  ];
  if (secure) parts.push("Secure");
  return parts.join("; ");
}

export function clearedSessionCookie(secure: boolean): string {
  const parts = [`${SESSION_COOKIE}=`, "Path=/", "HttpOnly", "SameSite=Strict", "Max-Age=0"];
  if (secure) parts.push("Secure");
  return parts.join("; ");
}
