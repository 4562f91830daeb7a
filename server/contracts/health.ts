import { z } from "./zod";

export const RuntimeSnapshot = z.object({
  status: z.enum(["unknown", "up", "down"]),
  endpoint: z.string(),
  lastCheckedAt: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  lastFailureAt: z.string().nullable(),
  lastDurationMs: z.number().nullable(),
  consecutiveFailures: z.number(),
  nextRetryAt: z.string().nullable(),
  lastError: z.object({ code: z.string(), message: z.string() }).nullable(),
  retriesExhausted: z.boolean(),
});
export type RuntimeSnapshot = z.infer<typeof RuntimeSnapshot>;

export const HealthReport = z.object({
  status: z.enum(["ok", "degraded"]),
  db: z.enum(["healthy", "unreachable"]),
  runtime: RuntimeSnapshot,
  agents: z.object({ active: z.number().nullable() }),
  version: z.string(),
});
export type HealthReport = z.infer<typeof HealthReport>;

// GET /dashboard-livez
export const Liveness = z.object({ status: z.literal("alive"), uptimeSeconds: z.number() });
