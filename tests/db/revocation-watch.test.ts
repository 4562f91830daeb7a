import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { insertAgentToken, revokeAgentToken } from "@/server/db/queries/agent-tokens";
import { insertSession, revokeSession } from "@/server/db/queries/sessions";
import { RevocationWatch } from "@/server/credentials/revocation-watch";
import { DATABASE_KINDS, openFreshDatabase } from "../helpers/databases";

const handles: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const handle of handles) await handle.close();
});

const aborted = (signal: AbortSignal, timeoutMs: number) =>
  new Promise<unknown>((resolve, reject) => {
    if (signal.aborted) return resolve(signal.reason);
    const timer = setTimeout(() => reject(new Error(`not aborted within ${timeoutMs} ms`)), timeoutMs);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve(signal.reason)), { once: true });
  });

describe.each(DATABASE_KINDS)("credential watch (%s)", (kind) => {
  it("ends a session's streams at its expiry, on logout, and catches a revocation made before it watched", async () => {
    const database = await openFreshDatabase(kind);
    handles.push(database);
    const watch = new RevocationWatch(database, pino({ level: "silent" }));
    await watch.start();
    const operator = (sessionId: string, expiresAt: Date) => ({ kind: "operator" as const, name: "operator", via: "session" as const, sessionId, expiresAt });
    const never = new AbortController().signal;

    const expiresAt = new Date(Date.now() + 1_500);
    await insertSession(database.db, { id: "ses_expiring", subject: "operator", expiresAt, userAgent: null });
    const expiring = watch.watch(operator("ses_expiring", expiresAt), never);
    expect(((await aborted(expiring.signal, 5_000)) as Error).message).toBe("the session expired");
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt.getTime());

    const later = new Date(Date.now() + 3_600_000);
    await insertSession(database.db, { id: "ses_logout", subject: "operator", expiresAt: later, userAgent: null });
    const open = watch.watch(operator("ses_logout", later), never);
    await revokeSession(database.db, "ses_logout", new Date());
    expect(((await aborted(open.signal, 5_000)) as Error).message).toBe("the session ended (logged out or revoked)");

    // Revoked between authentication and watching: the watch's own check ends it.
    await insertAgentToken(database.db, { id: "tok_raced", agent: "raced", role: "agent", tokenHash: "h-raced", createdBy: "test" });
    await revokeAgentToken(database.db, "tok_raced", new Date());
    const raced = watch.watch({ kind: "agent", agent: "raced", role: "agent", tokenId: "tok_raced" }, never);
    expect(((await aborted(raced.signal, 5_000)) as Error).message).toBe("the agent token was revoked");

    // A client that leaves releases its watch.
    const client = new AbortController();
    await insertAgentToken(database.db, { id: "tok_kept", agent: "kept", role: "agent", tokenHash: "h-kept", createdBy: "test" });
    watch.watch({ kind: "agent", agent: "kept", role: "agent", tokenId: "tok_kept" }, client.signal);
    expect(watch.size).toBe(1);
    client.abort();
    expect(watch.size).toBe(0);
    await watch.stop();
  });
});
