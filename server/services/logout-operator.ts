import "server-only";
import type { HiveApp } from "../app";
import { revokeSession } from "../db/queries/sessions";

export async function logoutOperator({ app, sessionId }: { app: HiveApp; sessionId: string | undefined }): Promise<void> {
  if (sessionId) await revokeSession(app.database.db, sessionId, new Date());
}
