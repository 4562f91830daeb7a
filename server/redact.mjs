// Log lines never carry a query's parameter values (they hold env values, answers, tokens): the database
// layer's errors print them after "params:", so every string a log line holds is cut there. Plain JavaScript:
// both loggers use it, server.mjs's (outside Next's bundles) and server/log.ts's.
const PARAMS = /(\nparams: )[\s\S]*?(?=\n {4}at |$)/g;

/** A copy of a log line's fields with every query's parameter list replaced by "[redacted]". */
export function redactQueryParams(value, depth = 0) {
  if (typeof value === "string") return value.includes("\nparams: ") ? value.replace(PARAMS, "$1[redacted]") : value;
  if (typeof value !== "object" || value === null || depth > 8) return value;
  if (value instanceof Error) {
    return { name: value.name, message: redactQueryParams(value.message, depth + 1), stack: redactQueryParams(value.stack, depth + 1) };
  }
  if (Array.isArray(value)) return value.map((item) => redactQueryParams(item, depth + 1));
  const copy = {};
  for (const [key, item] of Object.entries(value)) copy[key] = redactQueryParams(item, depth + 1);
  return copy;
}
