import "server-only";
import { HiveError } from "../../errors";
import { isRuntimeError } from "../../runtime/types";

/**
 * Names what an engine refused in an agent's settings as the caller's mistake (4xx naming the field), not as the
 * engine failing (502) or the agent missing (404): a bad image reference, too many CPUs, a network that is not there.
 * Anything else is returned as it was.
 */
export function asSettingsRefusal(error: unknown): unknown {
  if (!isRuntimeError(error)) return error;
  const message = error.message;
  if (error.kind === "not_found" && /\bnetwork\b/i.test(message)) {
    return new HiveError("invalid_request", `network: the engine has no such network (${message})`);
  }
  if (error.kind === "not_found" && /\bimage\b|\bNo such image\b/i.test(message)) {
    return new HiveError("image_not_found", `image: the engine has no such image (${message})`);
  }
  if (error.kind === "engine" && error.statusCode === 400) {
    return new HiveError("invalid_request", `${settingOf(message)}the engine refused the agent's settings: ${message}`);
  }
  return error;
}

/** The setting an engine's refusal is about, when its wording says so ("field: " or nothing). */
function settingOf(message: string): string {
  if (/\bCPUs?\b/i.test(message)) return "cpus: ";
  if (/\bmemory\b/i.test(message)) return "memoryMb: ";
  if (/\breference\b|\brepository\b/i.test(message)) return "image: ";
  return "";
}
