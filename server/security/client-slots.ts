import "server-only";
import { HiveError } from "../errors";

/**
 * A per-client cap on something held open (log follows): `take` counts one for the client address or refuses with
 * 429 `too_many_streams`; the returned function gives it back (once). In this process only.
 */
export class ClientSlots {
  private readonly held = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly what: string,
    private readonly setting: string,
  ) {}

  take(client: string): () => void {
    const count = this.held.get(client) ?? 0;
    if (count >= this.limit) {
      throw new HiveError(
        "too_many_streams",
        `this client already holds ${count} ${this.what} open (the limit is ${this.limit}, ${this.setting}); close one first`,
        { limit: this.limit },
      );
    }
    this.held.set(client, count + 1);
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const left = (this.held.get(client) ?? 1) - 1;
      if (left > 0) this.held.set(client, left);
      else this.held.delete(client);
    };
  }

  count(client: string): number {
    return this.held.get(client) ?? 0;
  }
}
