import "server-only";
import { isIP } from "node:net";
import path from "node:path";
import { z } from "zod";
import { RUNTIME_DRIVERS, RUNTIME_NAMES, type RuntimeName } from "../runtime/registry";

// Environment variables arrive as strings; an empty string means "not set" (compose files often pass VAR=).
const optionalString = z.preprocess((value) => (value === "" ? undefined : value), z.string().optional());

function integer(fallback: number, min: number, max: number) {
  return z.preprocess(
    (value) => (value === "" || value === undefined ? fallback : value),
    z.coerce
      .number({ error: `must be an integer` })
      .int({ error: `must be an integer` })
      .min(min, { error: `must be at least ${min}` })
      .max(max, { error: `must be at most ${max}` }),
  );
}

function boolean(fallback: boolean) {
  return z.preprocess(
    (value) => (value === "" || value === undefined ? String(fallback) : value),
    z.stringbool({ error: "must be true or false" }),
  );
}

const ProxyList = z.string().transform((value, ctx) => {
  const entries = value
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const [address, prefix] = entry.split("/");
    const family = isIP(address ?? "");
    const maxPrefix = family === 6 ? 128 : 32;
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= maxPrefix);
    if (family === 0 || !prefixOk) {
      ctx.addIssue({ code: "custom", message: `"${entry}" is not an IP address or CIDR range` });
    }
  }
  return entries;
});

// A path prefix such as /hive: segments of URL-safe characters, no dot segments; a trailing slash is dropped.
const BasePath = z
  .string()
  .transform((value) => value.replace(/\/+$/, ""))
  .refine((value) => value === "" || /^(\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+$/.test(value), {
    error: "must be a path prefix such as /hive (letters, digits, . _ ~ - in each segment; no dot segments)",
  });

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
    PORT: integer(3000, 1, 65535),
    HIVE_HOST: z.preprocess((value) => (value === "" ? undefined : value), z.string().default("0.0.0.0")),
    HIVE_DATA_DIR: z.preprocess((value) => (value === "" ? undefined : value), z.string().default("./.data")),
    DATABASE_URL: optionalString.pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\/.+/, { error: "must be a postgres:// or postgresql:// URL" })
        .optional(),
    ),
    HIVE_RUNTIME: z.preprocess(
      (value) => (value === "" || value === undefined ? "docker" : value),
      z.enum(RUNTIME_NAMES, { error: `must be one of ${RUNTIME_NAMES.join(", ")}` }),
    ),
    HIVE_BASE_PATH: z.preprocess((value) => value ?? "", BasePath),
    HIVE_PUBLIC_URL: optionalString.pipe(z.url({ error: "must be an absolute http(s) URL" }).optional()),
    HIVE_PUBLIC_API_URL: optionalString.pipe(z.url({ error: "must be an absolute http(s) URL" }).optional()),
    HIVE_AUTH_MODE: z.preprocess(
      (value) => (value === "" ? undefined : value),
      z.enum(["token", "proxy"], { error: 'must be "token" or "proxy"' }).default("token"),
    ),
    HIVE_OPERATOR_TOKEN: optionalString.pipe(
      z.string().min(16, { error: "must be at least 16 characters" }).optional(),
    ),
    HIVE_SESSION_SECRET: optionalString.pipe(
      z.string().min(32, { error: "must be at least 32 characters" }).optional(),
    ),
    HIVE_SESSION_TTL_HOURS: integer(168, 1, 24 * 90),
    HIVE_PROXY_USER_HEADER: z.preprocess(
      (value) => (value === "" ? undefined : value),
      z
        .string()
        .regex(/^[A-Za-z0-9-]+$/, { error: "must be an HTTP header name" })
        .default("x-forwarded-user"),
    ),
    HIVE_TRUSTED_PROXIES: z.preprocess((value) => (value === undefined ? "" : value), ProxyList),
    HIVE_RUNTIME_OPTIONAL: boolean(true),
    HIVE_RUNTIME_RETRY_BASE_MS: integer(500, 1, 3_600_000),
    HIVE_RUNTIME_RETRY_MAX_MS: integer(30_000, 1, 3_600_000),
    HIVE_RUNTIME_RETRY_JITTER_MS: integer(250, 0, 3_600_000),
    HIVE_RUNTIME_PROBE_INTERVAL_MS: integer(30_000, 100, 3_600_000),
    HIVE_RUNTIME_MAX_RETRIES: integer(0, 0, 1_000_000),
    HIVE_RUNTIME_TIMEOUT_MS: integer(3_000, 100, 600_000),
    HIVE_RUNTIME_ACTION_TIMEOUT_MS: integer(60_000, 100, 3_600_000),
    HIVE_TOMBSTONE_RETENTION_DAYS: integer(0, 0, 36_500),
    HIVE_UPTIME_RETENTION_DAYS: integer(90, 1, 3_650),
    HIVE_WEBHOOK_TIMEOUT_MS: integer(10_000, 500, 120_000),
    HIVE_WEBHOOK_RETRY_BASE_MS: integer(5_000, 100, 3_600_000),
    HIVE_WEBHOOK_MAX_ATTEMPTS: integer(8, 1, 30),
    HIVE_LOG_FOLLOWS_PER_CLIENT: integer(20, 1, 10_000),
    HIVE_SHUTDOWN_TIMEOUT_MS: integer(10_000, 100, 600_000),
    HIVE_BACKUP_DIR: z.preprocess((value) => (value === "" ? undefined : value), z.string().default("./backups")),
    HIVE_BACKUP_RETENTION_DAYS: integer(7, 0, 36_500),
    HIVE_SERVER_URL: optionalString.pipe(z.url({ error: "must be an absolute http(s) URL" }).optional()),
    LOG_LEVEL: z.preprocess(
      (value) => (value === "" ? undefined : value),
      z
        .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
          error: "must be one of fatal, error, warn, info, debug, trace, silent",
        })
        .default("info"),
    ),
  })
  .superRefine((env, ctx) => {
    if (env.HIVE_RUNTIME_RETRY_BASE_MS > env.HIVE_RUNTIME_RETRY_MAX_MS) {
      ctx.addIssue({
        code: "custom",
        path: ["HIVE_RUNTIME_RETRY_BASE_MS"],
        message: `must not exceed HIVE_RUNTIME_RETRY_MAX_MS (${env.HIVE_RUNTIME_RETRY_MAX_MS})`,
      });
    }
    for (const name of ["HIVE_PUBLIC_URL", "HIVE_PUBLIC_API_URL"] as const) {
      const url = env[name];
      if (url && !/^https?:$/.test(new URL(url).protocol)) {
        ctx.addIssue({ code: "custom", path: [name], message: "must be an http:// or https:// URL" });
      } else if (url && new URL(url).pathname.replace(/\/+$/, "") !== env.HIVE_BASE_PATH) {
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: env.HIVE_BASE_PATH
            ? `must end with the base path ${env.HIVE_BASE_PATH} (the dashboard answers only under it)`
            : "must not have a path unless HIVE_BASE_PATH sets the same one",
        });
      }
    }
    if (env.HIVE_AUTH_MODE === "proxy" && env.HIVE_TRUSTED_PROXIES.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["HIVE_TRUSTED_PROXIES"],
        message: "is required when HIVE_AUTH_MODE=proxy (the addresses of the auth proxy)",
      });
    }
  });

/** The engine driver HIVE_RUNTIME names, with its own settings (each driver validates its own variables). */
export type DriverConfig = {
  [K in RuntimeName]: { name: K; settings: Parameters<(typeof RUNTIME_DRIVERS)[K]["create"]>[0] };
}[RuntimeName];

export type HiveConfig = {
  port: number;
  host: string;
  dataDir: string;
  /** The path prefix everything is served under ("" at the root, else like "/hive"). */
  basePath: string;
  databaseUrl: string | undefined;
  /** Origin plus base path, no trailing slash. */
  publicUrl: string;
  /**
   * Origins a state-changing browser request may come from: HIVE_PUBLIC_URL's; when it is unset, the local
   * default's under each loopback name (localhost, 127.0.0.1, [::1]).
   */
  publicOrigins: string[];
  /** Origin plus base path, no trailing slash. */
  publicApiUrl: string;
  auth: {
    mode: "token" | "proxy";
    operatorToken: string | undefined;
    sessionSecret: string | undefined;
    sessionTtlMs: number;
    proxyUserHeader: string;
    trustedProxies: string[];
  };
  runtime: {
    driver: DriverConfig;
    optional: boolean;
    retryBaseMs: number;
    retryMaxMs: number;
    retryJitterMs: number;
    probeIntervalMs: number;
    maxRetries: number;
    timeoutMs: number;
    /** How long an action waits for the engine (beyond the agent's stop grace) before it answers 504 engine_timeout. */
    actionTimeoutMs: number;
  };
  /** 0 = keep tombstones until an operator purges them. */
  tombstoneRetentionDays: number;
  /** Uptime buckets and state-log rows older than this many days are purged. */
  uptimeRetentionDays: number;
  /** Outgoing webhooks: each attempt's deadline, the first retry's delay (doubling, at most an hour), attempts in all. */
  webhooks: { timeoutMs: number; retryBaseMs: number; maxAttempts: number };
  /** Log follows one client address may hold open at once (per process). */
  logFollowsPerClient: number;
  /** The whole shutdown's deadline after SIGTERM; requests drain for at most half of it. */
  shutdownTimeoutMs: number;
  backup: {
    dir: string;
    /** Backups older than this are deleted after each new one (0 = keep all). */
    retentionDays: number;
    /** Where command-line tools reach the running dashboard (origin plus base path). */
    serverUrl: string;
  };
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses an environment into the dashboard's configuration, naming every bad variable at once. */
export function parseConfig(env: Record<string, string | undefined>): HiveConfig {
  const result = EnvSchema.safeParse(env);
  // The chosen driver's own variables are checked too (the default driver's when HIVE_RUNTIME itself is bad).
  const driverName = result.success ? result.data.HIVE_RUNTIME : "docker";
  const driver = RUNTIME_DRIVERS[driverName];
  const driverEnv = driver.env.safeParse(env);
  const issues = [...(result.success ? [] : result.error.issues), ...(driverEnv.success ? [] : driverEnv.error.issues)];
  if (!result.success || !driverEnv.success) {
    const problems = issues.map((issue) => {
      const name = String(issue.path[0] ?? "environment");
      return `${name}: ${issue.message}`;
    });
    throw new ConfigError([...new Set(problems)]);
  }
  const e = result.data;
  const localUrl = `http://localhost:${e.PORT}${e.HIVE_BASE_PATH}`;
  return {
    port: e.PORT,
    host: e.HIVE_HOST,
    dataDir: path.resolve(e.HIVE_DATA_DIR),
    basePath: e.HIVE_BASE_PATH,
    databaseUrl: e.DATABASE_URL,
    publicUrl: (e.HIVE_PUBLIC_URL ?? localUrl).replace(/\/$/, ""),
    publicOrigins: e.HIVE_PUBLIC_URL
      ? [new URL(e.HIVE_PUBLIC_URL).origin]
      : ["localhost", "127.0.0.1", "[::1]"].map((host) => `http://${host}:${e.PORT}`),
    publicApiUrl: (e.HIVE_PUBLIC_API_URL ?? `http://127.0.0.1:${e.PORT}${e.HIVE_BASE_PATH}`).replace(/\/$/, ""),
    auth: {
      mode: e.HIVE_AUTH_MODE,
      operatorToken: e.HIVE_OPERATOR_TOKEN,
      sessionSecret: e.HIVE_SESSION_SECRET,
      sessionTtlMs: e.HIVE_SESSION_TTL_HOURS * 3_600_000,
      proxyUserHeader: e.HIVE_PROXY_USER_HEADER.toLowerCase(),
      trustedProxies: e.HIVE_TRUSTED_PROXIES,
    },
    runtime: {
      driver: { name: driverName, settings: driver.settings(driverEnv.data as never) } as DriverConfig,
      optional: e.HIVE_RUNTIME_OPTIONAL,
      retryBaseMs: e.HIVE_RUNTIME_RETRY_BASE_MS,
      retryMaxMs: e.HIVE_RUNTIME_RETRY_MAX_MS,
      retryJitterMs: e.HIVE_RUNTIME_RETRY_JITTER_MS,
      probeIntervalMs: e.HIVE_RUNTIME_PROBE_INTERVAL_MS,
      maxRetries: e.HIVE_RUNTIME_MAX_RETRIES,
      timeoutMs: e.HIVE_RUNTIME_TIMEOUT_MS,
      actionTimeoutMs: e.HIVE_RUNTIME_ACTION_TIMEOUT_MS,
    },
    tombstoneRetentionDays: e.HIVE_TOMBSTONE_RETENTION_DAYS,
    uptimeRetentionDays: e.HIVE_UPTIME_RETENTION_DAYS,
    webhooks: { timeoutMs: e.HIVE_WEBHOOK_TIMEOUT_MS, retryBaseMs: e.HIVE_WEBHOOK_RETRY_BASE_MS, maxAttempts: e.HIVE_WEBHOOK_MAX_ATTEMPTS },
    logFollowsPerClient: e.HIVE_LOG_FOLLOWS_PER_CLIENT,
    shutdownTimeoutMs: e.HIVE_SHUTDOWN_TIMEOUT_MS,
    backup: {
      dir: path.resolve(e.HIVE_BACKUP_DIR),
      retentionDays: e.HIVE_BACKUP_RETENTION_DAYS,
      serverUrl: (
        e.HIVE_SERVER_URL ??
        `http://${["0.0.0.0", "::"].includes(e.HIVE_HOST) ? "127.0.0.1" : e.HIVE_HOST.includes(":") ? `[${e.HIVE_HOST}]` : e.HIVE_HOST}:${e.PORT}${e.HIVE_BASE_PATH}`
      ).replace(/\/$/, ""),
    },
    logLevel: e.LOG_LEVEL,
  };
}

let cached: HiveConfig | undefined;

/** The process's configuration, read from process.env once. */
export function getConfig(): HiveConfig {
  cached ??= parseConfig(process.env);
  return cached;
}
