import "server-only";
import type { Logger } from "pino";
import type { HiveConfig } from "./config";
import { isDatabaseUnavailable, isStorageFull } from "./db/client";
import { HiveError, isHiveError } from "./errors";
import { isRuntimeError } from "./runtime/types";

/**
 * What the database said about a failed query (its code and message), for the log. Quoted parts are cut: some
 * messages quote the offending value (`invalid input syntax for type integer: "…"`). The query's parameters
 * themselves are cut from every log line (server/redact.mjs).
 */
function databaseCause(error: unknown): { code: string; message: string } | undefined {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code !== "string" || typeof cause.message !== "string") return undefined;
  return { code: cause.code, message: cause.message.replace(/"[^"]*"/g, '"…"') };
}

/** Where a full disk must be freed, for the log line that says so. */
export function storageLocation(config: Pick<HiveConfig, "databaseUrl" | "dataDir">): string {
  return config.databaseUrl ? "the PostgreSQL server's data directory" : config.dataDir;
}

/** Maps any failure to the one error shape; unexpected ones are logged in full and answered generically. */
export function toHiveError(
  error: unknown,
  { engine, logger, storage }: { engine?: { reportFailure(): void }; logger: Logger; storage?: string },
): HiveError {
  if (isHiveError(error)) return error;
  if (isRuntimeError(error)) {
    if (error.kind === "unavailable") {
      engine?.reportFailure();
      return new HiveError("runtime_not_ready", "container runtime not ready");
    }
    if (error.kind === "not_found") return new HiveError("agent_not_found", error.message);
    if (error.kind === "invalid") return new HiveError("invalid_request", error.message);
    if (error.kind === "conflict") return new HiveError("conflict", `container engine: ${error.message}`);
    return new HiveError("runtime_error", `container engine: ${error.message}`);
  }
  if (isStorageFull(error)) {
    logger.error({ err: (error as Error).message, location: storage }, "storage full");
    return new HiveError("storage_full", "the database's disk is full: nothing can be saved until space is freed where its data lives");
  }
  if (isDatabaseUnavailable(error)) {
    logger.error({ err: (error as Error).message }, "database unavailable");
    return new HiveError("database_unavailable", "database unavailable; try again shortly");
  }
  logger.error({ err: error instanceof Error ? { message: error.message, stack: error.stack } : String(error), cause: databaseCause(error) }, "unhandled error");
  return new HiveError("internal_error", "internal error; the trace id identifies it in the server log");
}
