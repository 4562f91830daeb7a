import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { backupFileName, backupKindOf, pruneBackups } from "@/server/backups/files";
import { tempDir } from "../helpers/server";

describe("backup files", () => {
  it("names backups by kind and UTC time, so names sort by age", () => {
    const at = new Date("2026-03-04T05:06:07.890Z");
    expect(backupFileName("postgres", at)).toBe("hive-20260304T050607Z.pgdump");
    expect(backupFileName("pglite", at)).toBe("hive-20260304T050607Z.pglite.tar.gz");
  });

  it("recognises a backup by its first bytes, whatever its name", () => {
    const dir = tempDir("hive-backup-kind-");
    fs.writeFileSync(path.join(dir, "a"), Buffer.concat([Buffer.from("PGDMP"), Buffer.alloc(20)]));
    fs.writeFileSync(path.join(dir, "b"), zlib.gzipSync("tar"));
    fs.writeFileSync(path.join(dir, "c"), "hello");
    expect(backupKindOf(path.join(dir, "a"))).toBe("postgres");
    expect(backupKindOf(path.join(dir, "b"))).toBe("pglite");
    expect(backupKindOf(path.join(dir, "c"))).toBeNull();
  });

  it("deletes backups older than the retention by the time in their names, and nothing else", () => {
    const dir = tempDir("hive-backup-prune-");
    const now = new Date("2026-03-10T12:00:00Z");
    const names = [
      backupFileName("postgres", new Date("2026-03-01T00:00:00Z")), // 9.5 days
      backupFileName("pglite", new Date("2026-03-03T11:59:59Z")), // just over 7 days
      backupFileName("postgres", new Date("2026-03-03T12:00:01Z")), // just under
      backupFileName("postgres", new Date("2026-03-10T11:00:00Z")),
      "hive-20260101T000000Z.pgdump.partial",
      "notes.txt",
    ];
    for (const name of names) fs.writeFileSync(path.join(dir, name), "x");
    const result = pruneBackups(dir, 7, now);
    expect(result.deleted).toEqual([names[0], names[1]]);
    expect(result.kept).toEqual([names[2], names[3]]);
    expect(fs.readdirSync(dir).sort()).toEqual([names[2], names[3], names[4], names[5]].sort());
    expect(pruneBackups(dir, 0, new Date("2030-01-01T00:00:00Z")).deleted).toEqual([]);
  });
});
