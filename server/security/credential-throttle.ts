import "server-only";
import { HiveError } from "../errors";

type AddressRecord = { failures: number[]; blockedUntil: number };

export type ThrottleOptions = {
  /** Failed credentials an address may send within `windowMs` before it must wait. */
  maxFailures: number;
  windowMs: number;
  /** The first wait once over the budget; each further failure doubles it, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Addresses remembered at most (the oldest are forgotten first). */
  maxAddresses: number;
};

export const DEFAULT_THROTTLE: ThrottleOptions = {
  maxFailures: 10,
  windowMs: 15 * 60_000,
  baseDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  maxAddresses: 10_000,
};

/**
 * Limits failed credentials per client address, in this process.
 *
 * Two kinds of secret are told apart. The operator token can be guessed (an operator may set a short one), so
 * once an address is over its budget it is not even checked until the wait is over (429 with Retry-After): a
 * correct token is refused then too, only until the time the 429 states, after which one try is checked, and a
 * success clears the address. Agent tokens (256 random bits) and session cookies (signed with a server secret)
 * cannot be guessed, so they are always checked: a valid one always passes, a logged-in operator is never
 * held up, and a failed one answers 429 instead of 401 while the address is over its budget.
 */
export class CredentialThrottle {
  private readonly addresses = new Map<string, AddressRecord>();

  constructor(private readonly options: ThrottleOptions = DEFAULT_THROTTLE) {}

  /** Before checking a guessable secret: throws 429 while the address must wait. */
  assertMayTry(address: string, now = Date.now()): void {
    const record = this.addresses.get(address);
    if (record && record.blockedUntil > now) throw this.tooMany(record, now);
  }

  /** A failed check: recorded, and the error to answer (401, or 429 once over the budget). */
  failed(address: string, unauthorized: HiveError, now = Date.now()): HiveError {
    const record = this.addresses.get(address) ?? { failures: [], blockedUntil: 0 };
    record.failures = record.failures.filter((at) => now - at < this.options.windowMs);
    record.failures.push(now);
    if (record.failures.length > this.options.maxFailures * 4) record.failures.splice(0, record.failures.length - this.options.maxFailures * 4);
    const over = record.failures.length - this.options.maxFailures;
    if (over > 0) record.blockedUntil = now + Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** Math.min(over - 1, 30));
    this.remember(address, record);
    return over > 0 ? this.tooMany(record, now) : unauthorized;
  }

  /** The operator token was right: the address starts afresh. */
  succeeded(address: string): void {
    this.addresses.delete(address);
  }

  private tooMany(record: AddressRecord, now: number): HiveError {
    const retryAfterSeconds = Math.max(1, Math.ceil((record.blockedUntil - now) / 1000));
    return new HiveError("rate_limited", `too many failed credentials from this address; try again in ${retryAfterSeconds} s`, {
      retryAfterSeconds,
    });
  }

  private remember(address: string, record: AddressRecord) {
    this.addresses.delete(address); // re-inserted last: the map's order is oldest-first
    this.addresses.set(address, record);
    for (const oldest of this.addresses.keys()) {
      if (this.addresses.size <= this.options.maxAddresses) break;
      this.addresses.delete(oldest);
    }
  }
}
