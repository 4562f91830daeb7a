import "server-only";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

type LockOwner = { pid: number; host: string; purpose: string; startedAt: string };

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: LockOwner | undefined,
  ) {
    const who = owner
      ? `process ${owner.pid} on ${owner.host} (${owner.purpose}, since ${owner.startedAt})`
      : "another process (its lock file is unreadable)";
    super(
      `The embedded database in ${dataDir} is in use by ${who}. PGlite allows one process per data ` +
        `directory: stop that process first, or point HIVE_DATA_DIR at another directory.`,
    );
    this.name = "DataDirLockedError";
  }
}

export type DataDirLock = { path: string; release(): void };

// Locks this process holds, so that a second open inside one process is refused too.
const heldKey = Symbol.for("hive.dataDirLocks");
const held: Set<string> = ((globalThis as Record<symbol, unknown>)[heldKey] as Set<string>) ?? new Set<string>();
(globalThis as Record<symbol, unknown>)[heldKey] = held;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readOwner(lockPath: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(lockPath, "utf8")) as Partial<LockOwner>;
    if (typeof parsed.pid === "number" && typeof parsed.host === "string") {
      return {
        pid: parsed.pid,
        host: parsed.host,
        purpose: String(parsed.purpose ?? "unknown"),
        startedAt: String(parsed.startedAt ?? "unknown"),
      };
    }
  } catch {
    // unreadable or vanished: reported as an unknown owner
  }
  return undefined;
}

/**
 * Takes the exclusive lock on a PGlite data directory, or throws DataDirLockedError naming the holder.
 * The lock file is created with link(2), which fails atomically when it exists, and always holds a
 * complete record. A lock left by a process that died on this host is taken over.
 */
export function acquireDataDirLock(dataDir: string, purpose: string): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, "hive.lock");
  const owner: LockOwner = { pid: process.pid, host: os.hostname(), purpose, startedAt: new Date().toISOString() };
  const draft = `${lockPath}.${process.pid}.${Date.now()}`;
  fs.writeFileSync(draft, JSON.stringify(owner));
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        if (held.has(lockPath)) throw Object.assign(new Error("held in this process"), { code: "EEXIST" });
        fs.linkSync(draft, lockPath);
        held.add(lockPath);
        return {
          path: lockPath,
          release() {
            held.delete(lockPath);
            const current = readOwner(lockPath);
            if (current && current.pid === owner.pid && current.startedAt === owner.startedAt) {
              fs.rmSync(lockPath, { force: true });
            }
          },
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const holder = readOwner(lockPath);
      const stale =
        holder !== undefined &&
        holder.host === owner.host &&
        !held.has(lockPath) &&
        (holder.pid === process.pid || !isAlive(holder.pid));
      if (!stale) throw new DataDirLockedError(dataDir, holder);
      fs.rmSync(lockPath, { force: true });
    }
    throw new DataDirLockedError(dataDir, readOwner(lockPath));
  } finally {
    fs.rmSync(draft, { force: true });
  }
}
