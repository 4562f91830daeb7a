import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const DIR = "HIVE_RUN_TMPDIR";
const OWNER = "HIVE_RUN_TMPDIR_OWNER";

/**
 * Points TMPDIR, and so every temporary directory this process and its children make (data dirs, PostgreSQL clusters,
 * sockets), at one directory for the whole run. It is made on the first call unless an outer run (`npm test`) made
 * one already; worker processes inherit it. The directory is world-traversable: clusters run as the postgres user.
 */
export function useRunTempDir(prefix: string): string {
  const existing = process.env[DIR];
  if (existing && fs.existsSync(existing)) return existing;
  const parent = existing && process.env.TMPDIR === existing ? path.dirname(existing) : os.tmpdir();
  const dir = fs.mkdtempSync(path.join(parent, prefix));
  fs.chmodSync(dir, 0o755);
  process.env[DIR] = dir;
  process.env[OWNER] = String(process.pid);
  process.env.TMPDIR = dir;
  return dir;
}

/** Removes the run's directory with everything in it, if this process made it (an outer run removes its own). */
export function removeRunTempDir(): void {
  const dir = process.env[DIR];
  if (dir && process.env[OWNER] === String(process.pid)) fs.rmSync(dir, { recursive: true, force: true });
}
