import "server-only";

/** Every error code the API can answer with, and its HTTP status: the one status table. */
export const ERROR_STATUS = {
  invalid_request: 400,
  malformed_json: 400,
  unauthorized: 401,
  forbidden: 403,
  cross_site_request: 403,
  not_found: 404,
  question_not_found: 404,
  approval_not_found: 404,
  tombstone_not_found: 404,
  agent_not_found: 404,
  image_not_found: 404,
  method_not_allowed: 405,
  not_acceptable: 406,
  conflict: 409,
  action_in_flight: 409,
  question_resolved: 409,
  approval_resolved: 409,
  tombstone_exists: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  too_many_streams: 429,
  internal_error: 500,
  runtime_error: 502,
  runtime_not_ready: 503,
  engine_timeout: 504,
  database_unavailable: 503,
  storage_full: 507,
  shutting_down: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** An error meant for the client: its code and message are safe to show. */
export class HiveError extends Error {
  readonly isHiveError = true;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "HiveError";
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function isHiveError(error: unknown): error is HiveError {
  return typeof error === "object" && error !== null && (error as { isHiveError?: unknown }).isHiveError === true;
}

export const notFound = (message: string) => new HiveError("not_found", message);
export const forbidden = (message: string) => new HiveError("forbidden", message);
export const conflict = (message: string, details?: Record<string, unknown>) =>
  new HiveError("conflict", message, details);
export const runtimeNotReady = () => new HiveError("runtime_not_ready", "container runtime not ready");
