import "server-only";
import type { z } from "zod";
import { unstorableText } from "../contracts/common";
import { HiveError } from "../errors";

function zodIssues(error: z.ZodError) {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(root)",
    message: issue.message,
  }));
}

/**
 * Checks a request's input (body, query, path, a tool's arguments): text PostgreSQL cannot store is refused first,
 * naming the field, then the schema. Failures are 400 invalid_request with every issue.
 */
export function validateInput<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const unstorable = unstorableText(value);
  if (unstorable) {
    throw new HiveError("invalid_request", `invalid ${where}: ${unstorable.path}: ${unstorable.message}`, { issues: [unstorable] });
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = zodIssues(result.error);
  const summary = issues
    .slice(0, 3)
    .map((issue) => `${issue.path}: ${issue.message}`)
    .join("; ");
  throw new HiveError("invalid_request", `invalid ${where}: ${summary}`, { issues });
}
