import "server-only";
import type { DbOrTx } from "../../../db/client";
import { findAgent } from "../../../db/queries/agents";
import { hasUptimeLog } from "../../../db/queries/uptime";
import { HiveError } from "../../../errors";

/** An agent the dashboard knows or once watched (a destroyed one keeps its history); else 404. */
export async function requireWatchedAgent(db: DbOrTx, name: string): Promise<void> {
  if ((await findAgent(db, name)) || (await hasUptimeLog(db, name))) return;
  throw new HiveError("agent_not_found", `no agent named ${name}`);
}
