import "server-only";
import { RuntimeError } from "../types";

/** A failure as dockerode (or our raw reader) reports it: the engine's status and message, or a socket error code. */
export type EngineFailure = Error & { statusCode?: number; json?: { message?: string } | null; code?: string };

function engineMessage(error: EngineFailure): string {
  const fromJson = error.json && typeof error.json === "object" ? error.json.message : undefined;
  if (fromJson) return fromJson;
  return error.message.replace(/^\(HTTP code \d+\)\s*[a-z ]*-\s*/i, "").trim() || "engine error";
}

/** Turns a dockerode failure into a classified RuntimeError. */
export function classifyEngineError(error: unknown): RuntimeError {
  if (error instanceof RuntimeError) return error;
  const failure = error as EngineFailure;
  const status = failure.statusCode;
  if (status === undefined) {
    const code = failure.code ?? "";
    const reason = code ? `${code}: ${failure.message}` : failure.message || "engine unreachable";
    return new RuntimeError("unavailable", reason);
  }
  const message = engineMessage(failure);
  if (status === 404) return new RuntimeError("not_found", message, status);
  if (status === 409) return new RuntimeError("conflict", message, status);
  return new RuntimeError("engine", message, status);
}
