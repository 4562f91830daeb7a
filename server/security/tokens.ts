import "server-only";
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const OPERATOR_TOKEN_PREFIX = "hive_op_";
export const AGENT_TOKEN_PREFIX = "hive_ag_";

export const randomSecret = (bytes = 32) => randomBytes(bytes).toString("base64url");
export const newOperatorToken = () => `${OPERATOR_TOKEN_PREFIX}${randomSecret()}`;
export const newAgentToken = () => `${AGENT_TOKEN_PREFIX}${randomSecret()}`;
export const newId = (prefix: string) => `${prefix}_${randomBytes(9).toString("base64url")}`;

/** Tokens are 256-bit random strings, so a plain SHA-256 is a sufficient one-way store. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function sign(secret: string, value: string): string {
  return createHmac("sha256", secret).update(value).digest("base64url");
}

/** `<value>.<hmac>`: the session cookie's form. */
export function signValue(secret: string, value: string): string {
  return `${value}.${sign(secret, value)}`;
}

export function verifySignedValue(secret: string, signed: string): string | null {
  const dot = signed.lastIndexOf(".");
  if (dot <= 0) return null;
  const value = signed.slice(0, dot);
  return safeEqual(sign(secret, value), signed.slice(dot + 1)) ? value : null;
}
