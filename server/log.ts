import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import pino, { type Logger } from "pino";
import { redactQueryParams } from "./redact.mjs";

type LogContext = { traceId: string; actor?: string; timings?: Map<string, number> };

// Shared through globalThis: Next bundles this module more than once (instrumentation, each route), and
// every copy must write through one logger reading one request context.
const globalKey = Symbol.for("hive.logger");
const contextKey = Symbol.for("hive.logContext");
type GlobalWithLogger = typeof globalThis & { [globalKey]?: Logger; [contextKey]?: AsyncLocalStorage<LogContext> };
const context = ((globalThis as GlobalWithLogger)[contextKey] ??= new AsyncLocalStorage<LogContext>());

/** The dashboard's logger (stdout unless a destination is given). */
export function createLogger(destination?: pino.DestinationStream): Logger {
  return pino({
    level: process.env.LOG_LEVEL || "info",
    base: { service: "hive-dashboard" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }), log: (fields) => redactQueryParams(fields) },
    // Every line written while serving a request carries that request's trace id.
    mixin: () => {
      const store = context.getStore();
      return store ? { traceId: store.traceId, ...(store.actor ? { actor: store.actor } : {}) } : {};
    },
    redact: {
      paths: ["token", "*.token", "authorization", "*.authorization", "cookie", "*.cookie", "password", "*.password"],
      censor: "[redacted]",
    },
  }, destination ?? pino.destination(1));
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


/** Times a step of the current request; the totals go out in its Server-Timing header. */
export async function measure<T>(label: string, work: () => Promise<T>): Promise<T> {
  const store = context.getStore();
  if (!store) return work();
  const started = performance.now();
  try {
    return await work();
  } finally {
    store.timings ??= new Map();
    store.timings.set(label, (store.timings.get(label) ?? 0) + performance.now() - started);
  }
}

export function serverTimingHeader(): string | undefined {
  const timings = context.getStore()?.timings;
  if (!timings?.size) return undefined;
  return [...timings].map(([label, duration]) => `${label};dur=${duration.toFixed(1)}`).join(", ");
}
