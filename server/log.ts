import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import pino, { type Logger } from "pino";

type LogContext = { traceId: string; actor?: string };

// Shared through globalThis: Next bundles this module more than once (instrumentation, each route), and
// every copy must write through one logger reading one request context.
const globalKey = Symbol.for("hive.logger");
const contextKey = Symbol.for("hive.logContext");
type GlobalWithLogger = typeof globalThis & { [globalKey]?: Logger; [contextKey]?: AsyncLocalStorage<LogContext> };
const context = ((globalThis as GlobalWithLogger)[contextKey] ??= new AsyncLocalStorage<LogContext>());

function createLogger(): Logger {
  return pino({
    level: process.env.LOG_LEVEL || "info",
    base: { service: "hive-dashboard" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // Every line written while serving a request carries that request's trace id.
    mixin: () => context.getStore() ?? {},
    redact: {
      paths: ["token", "*.token", "authorization", "*.authorization", "cookie", "*.cookie", "password", "*.password"],
      censor: "[redacted]",
    },
  });
}

/** The process-wide JSON logger (stdout). */
export function log(): Logger {
  const holder = globalThis as GlobalWithLogger;
  holder[globalKey] ??= createLogger();
  return holder[globalKey];
}

export function runWithLogContext<T>(value: LogContext, fn: () => T): T {
  return context.run(value, fn);
}

export function currentTraceId(): string | undefined {
  return context.getStore()?.traceId;
}

export function setLogActor(actor: string): void {
  const store = context.getStore();
  if (store) store.actor = actor;
}
