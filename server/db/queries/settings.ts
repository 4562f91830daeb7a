import "server-only";
import { eq } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { settings } from "../schema";

export async function getSetting<T>(db: DbOrTx, key: string): Promise<T | undefined> {
  const rows = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, key)).limit(1);
  return rows[0]?.value as T | undefined;
}

/** Inserts a setting unless it exists; returns the value that is stored afterwards (ours or the winner's). */
export async function insertSettingOnce<T>(db: DbOrTx, key: string, value: T): Promise<{ value: T; inserted: boolean }> {
  const inserted = await db
    .insert(settings)
    .values({ key, value })
    .onConflictDoNothing({ target: settings.key })
    .returning({ key: settings.key });
  if (inserted.length > 0) return { value, inserted: true };
  return { value: (await getSetting<T>(db, key)) as T, inserted: false };
}

export async function putSetting<T>(db: DbOrTx, key: string, value: T): Promise<void> {
  await db
    .insert(settings)
    .values({ key, value })
    .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: new Date() } });
}
