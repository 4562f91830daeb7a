import "server-only";
import fs from "node:fs";
import path from "node:path";

/** `postgres`: a pg_dump custom-format archive. `pglite`: the embedded database's data directory, gzipped tar. */
export type BackupKind = "postgres" | "pglite";

const SUFFIX: Record<BackupKind, string> = { postgres: ".pgdump", pglite: ".pglite.tar.gz" };
const BACKUP_NAME = /^hive-(\d{8}T\d{6}Z)\.(pgdump|pglite\.tar\.gz)$/;

const stampOf = (at: Date) => at.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");

function dateOfStamp(stamp: string): Date {
  const [, y, mo, d, h, mi, s] = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp)!;
  return new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
}

/** A backup's file name: the kind and the UTC time it was taken, so names sort by age. */
export const backupFileName = (kind: BackupKind, at: Date) => `hive-${stampOf(at)}${SUFFIX[kind]}`;

/** Which kind a backup file is, from its first bytes (a renamed file is still recognised); null when neither. */
export function backupKindOf(file: string): BackupKind | null {
  const head = Buffer.alloc(5);
  const fd = fs.openSync(file, "r");
  try {
    fs.readSync(fd, head, 0, 5, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (head.toString("latin1") === "PGDMP") return "postgres";
  if (head[0] === 0x1f && head[1] === 0x8b) return "pglite";
  return null;
}

/**
 * Deletes the backups in `dir` taken more than `retentionDays` before `now` (judged by the time in their names,
 * which copying a file does not change); `0` keeps everything. Other files are never touched.
 */
export function pruneBackups(dir: string, retentionDays: number, now: Date): { kept: string[]; deleted: string[] } {
  const kept: string[] = [];
  const deleted: string[] = [];
  const cutoff = now.getTime() - retentionDays * 86_400_000;
  for (const name of fs.readdirSync(dir).sort()) {
    const match = BACKUP_NAME.exec(name);
    if (!match) continue;
    if (retentionDays > 0 && dateOfStamp(match[1]!).getTime() < cutoff) {
      fs.rmSync(path.join(dir, name), { force: true });
      deleted.push(name);
    } else kept.push(name);
  }
  return { kept, deleted };
}
