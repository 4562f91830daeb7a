import "server-only";

const scopes = new WeakMap<AbortSignal, () => void>();

/**
 * A signal for one request's life: aborted when the client goes away (the request's own signal) or when the
 * response's stream is cancelled, whichever the platform reports first.
 */
export function requestScope(request: Request): AbortSignal {
  const controller = new AbortController();
  const forward = () => controller.abort();
  if (request.signal.aborted) controller.abort();
  else request.signal.addEventListener("abort", forward, { once: true });
  scopes.set(controller.signal, () => controller.abort());
  return controller.signal;
}

/** A signal derived from a request's scope (a credential watch) ends that scope too. */
export function sameScope(derived: AbortSignal, scope: AbortSignal): void {
  const end = scopes.get(scope);
  if (end) scopes.set(derived, end);
}

/** Ends the request's scope: whatever a service holds open for it (engine streams, subscriptions) is let go. */
export function endRequest(signal: AbortSignal): void {
  scopes.get(signal)?.();
}
