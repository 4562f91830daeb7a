import { z } from "./zod";

/** Agent names: lowercase letters, digits and inner hyphens, starting with a letter, at most 40 characters. */
export const AGENT_NAME_PATTERN = /^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

export const AgentName = z
  .string()
  .regex(AGENT_NAME_PATTERN, {
    error: "must be 1-40 lowercase letters, digits or inner hyphens, starting with a letter",
  });
export type AgentName = z.infer<typeof AgentName>;

export type ApiError = { error: { code: string; message: string; issues?: { path: string; message: string }[] } };

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The first place in a request's input (body, query or path) holding text PostgreSQL cannot store: a NUL
 * character or a lone UTF-16 surrogate (in a value or an object key). Every route checks its input with this
 * before its own schema, so the message names the field instead of the database failing on it.
 */
export function unstorableText(value: unknown, path: (string | number)[] = [], depth = 0): { path: string; message: string } | null {
  const problem = (text: string) =>
    text.includes("\u0000")
      ? "must not contain the NUL character (\\u0000)"
      : LONE_SURROGATE.test(text)
        ? "must be well-formed Unicode (it holds a lone surrogate)"
        : null;
  if (typeof value === "string") {
    const message = problem(value);
    return message ? { path: path.join(".") || "(root)", message } : null;
  }
  if (typeof value !== "object" || value === null) return null;
  if (depth > 32) return { path: path.join("."), message: "is nested too deeply" };
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
  for (const [key, item] of entries) {
    const keyProblem = typeof key === "string" ? problem(key) : null;
    if (keyProblem) return { path: [...path, JSON.stringify(key)].join("."), message: `this name ${keyProblem}` };
    const found = unstorableText(item, [...path, key], depth + 1);
    if (found) return found;
  }
  return null;
}
