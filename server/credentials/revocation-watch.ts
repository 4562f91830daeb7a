import "server-only";
import type { Logger } from "pino";
import { z } from "zod";
import type { DatabaseHandle } from "../db/client";
import { activeTokenIds, liveSessionIds, REVOCATIONS_CHANNEL } from "../db/queries/revocations";
import { HiveError } from "../errors";
import type { Actor } from "../contracts/actors";

const Notice = z.object({ tokens: z.array(z.string()).optional(), sessions: z.array(z.string()).optional(), recheck: z.literal(true).optional() });

type Credential = { kind: "token" | "session"; id: string; expiresAt?: Date };
type Watcher = { controller: AbortController; credential: Credential };

/** setTimeout's longest delay; a session expiring later is re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const endedBy = (credential: Credential, expired = false) =>
  new HiveError(
    "unauthorized",
    credential.kind === "token" ? "the agent token was revoked" : expired ? "the session expired" : "the session ended (logged out or revoked)",
  );

/**
 * Ends what a credential keeps open (event streams, log follows, long polls) when the credential ends: an agent
 * token revoked or a session logged out on any replica (PostgreSQL NOTIFY on REVOCATIONS_CHANNEL; after a lost
 * listening connection every watched credential is checked again), or a session reaching its expiry.
 */
export class RevocationWatch {
  private readonly watchers = new Map<string, Set<Watcher>>();
  private unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly database: DatabaseHandle,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.unlisten = await this.database.listen(
      REVOCATIONS_CHANNEL,
      (payload) => this.onNotice(payload),
      () => void this.recheckAll(),
    );
  }

  async stop(): Promise<void> {
    await this.unlisten?.();
  }

  /** How many open streams and polls are watched (diagnostics, tests). */
  get size(): number {
    let count = 0;
    for (const set of this.watchers.values()) count += set.size;
    return count;
  }

  /**
   * A signal that aborts (reason: a 401 HiveError) when the actor's credential ends, or when `parent` aborts.
   * `release` forgets it; it is also released by either abort. Credentials nobody can revoke (the operator token,
   * a proxy identity) only follow `parent`.
   */
  watch(actor: Actor | null, parent: AbortSignal): { signal: AbortSignal; release: () => void } {
    const credential: Credential | null =
      actor?.kind === "agent"
        ? { kind: "token", id: actor.tokenId }
        : actor?.kind === "operator" && actor.sessionId
          ? { kind: "session", id: actor.sessionId, expiresAt: actor.expiresAt }
          : null;
    if (!credential) return { signal: parent, release: () => undefined };
    const controller = new AbortController();
    const watcher: Watcher = { controller, credential };
    const key = `${credential.kind}:${credential.id}`;
    let set = this.watchers.get(key);
    if (!set) this.watchers.set(key, (set = new Set()));
    set.add(watcher);
    let expiry: NodeJS.Timeout | undefined;
    const release = () => {
      clearTimeout(expiry);
      parent.removeEventListener("abort", onParentAbort);
      const current = this.watchers.get(key);
      current?.delete(watcher);
      if (current?.size === 0) this.watchers.delete(key);
    };
    const onParentAbort = () => {
      release();
      if (!controller.signal.aborted) controller.abort(parent.reason);
    };
    controller.signal.addEventListener("abort", release, { once: true });
    if (parent.aborted) onParentAbort();
    else parent.addEventListener("abort", onParentAbort, { once: true });
    if (credential.expiresAt) {
      const expiresAt = credential.expiresAt.getTime();
      const arm = () => {
        const left = expiresAt - Date.now();
        if (left <= 0) controller.abort(endedBy(credential, true));
        else expiry = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
      };
      arm();
    }
    // A revocation announced between authentication and this registration would be missed: check once now.
    void this.check([watcher]);
    return { signal: controller.signal, release };
  }

  private onNotice(payload: string) {
    let parsed: z.infer<typeof Notice>;
    try {
      parsed = Notice.parse(JSON.parse(payload));
    } catch {
      this.logger.warn({ payload: payload.slice(0, 200) }, "ignored a malformed revocation notice");
      return;
    }
    if (parsed.recheck) return void this.recheckAll();
    for (const id of parsed.tokens ?? []) this.end(`token:${id}`);
    for (const id of parsed.sessions ?? []) this.end(`session:${id}`);
  }

  private end(key: string) {
    for (const watcher of [...(this.watchers.get(key) ?? [])]) watcher.controller.abort(endedBy(watcher.credential));
  }

  /** Checks every watched credential against the database (after notices may have been lost). */
  async recheckAll(): Promise<void> {
    await this.check([...this.watchers.values()].flatMap((set) => [...set]));
  }

  private async check(watchers: Watcher[]): Promise<void> {
    const ids = (kind: Credential["kind"]) => [...new Set(watchers.filter((w) => w.credential.kind === kind).map((w) => w.credential.id))];
    try {
      const db = this.database.db;
      const [tokens, sessions] = await Promise.all([activeTokenIds(db, ids("token")), liveSessionIds(db, ids("session"), new Date())]);
      for (const watcher of watchers) {
        const alive = watcher.credential.kind === "token" ? tokens : sessions;
        if (!alive.has(watcher.credential.id)) watcher.controller.abort(endedBy(watcher.credential));
      }
    } catch (error) {
      // The database being away ends nothing here: the next request on that credential is checked anyway.
      this.logger.warn({ err: (error as Error).message }, "could not check open streams' credentials");
    }
  }
}
