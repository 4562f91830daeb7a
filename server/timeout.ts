import "server-only";

/**
 * The promise, or a rejection with `onTimeout()` once `ms` have passed without an answer.
 *
 * An answer that reached the process while its thread was busy still wins: when the timer fires, the rejection waits
 * one turn of I/O, so the answers already waiting are delivered first. Without that turn, a thread blocked for longer
 * than `ms` (a migration, a large render) reports every call it had out as timed out, even a refused connection
 * whose error was sitting in the queue.
 */
export function withDeadline<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => setImmediate(() => reject(onTimeout())), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** The promise, or a rejection naming `what` once `ms` have passed without an answer. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return withDeadline(promise, ms, () => new Error(`${what} timed out after ${ms} ms`));
}
