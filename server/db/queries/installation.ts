import "server-only";
import { randomBytes } from "node:crypto";
import type { Database, DbOrTx } from "../client";
import { agents } from "../schema";
import { getSetting, insertSettingOnce, putSetting } from "./settings";

const INSTALLATION_KEY = "installation_id";
const LEGACY_AGENTS_KEY = "legacy_agents";
const CLAIMED_VOLUMES_KEY = "adopted_state_volumes";

export type Installation = {
  id: string;
  created: boolean;
  /** Agents this database knew when it got its identity, made before identities existed: still ours, unlabelled. */
  legacyAgents: string[];
};

/**
 * This installation's identity: made once, at the first start on a database, and kept in it (a backup restored onto
 * a new database brings it along). Every replica on the database reads the same one. A database that already had
 * agents (an upgrade) keeps managing them: their unlabelled containers and volumes are claimed in the same step.
 */
export async function ensureInstallationId(db: Database): Promise<Installation> {
  const existing = await getSetting<string>(db, INSTALLATION_KEY);
  if (existing) return { id: existing, created: false, legacyAgents: (await getSetting<string[]>(db, LEGACY_AGENTS_KEY)) ?? [] };
  return db.transaction(async (tx) => {
    const { value, inserted } = await insertSettingOnce(tx, INSTALLATION_KEY, `inst-${randomBytes(6).toString("hex")}`);
    if (!inserted) return { id: value, created: false, legacyAgents: (await getSetting<string[]>(tx, LEGACY_AGENTS_KEY)) ?? [] };
    const known = await tx.select({ name: agents.name, destroyedAt: agents.destroyedAt }).from(agents);
    const legacyAgents = known.filter((agent) => !agent.destroyedAt).map((agent) => agent.name);
    if (known.length > 0) {
      await putSetting(tx, LEGACY_AGENTS_KEY, legacyAgents);
      await putSetting(tx, CLAIMED_VOLUMES_KEY, known.map((agent) => agent.name));
    }
    return { id: value, created: true, legacyAgents };
  });
}

/**
 * State volumes this installation took over (adopted agents', and those its database knew before identities
 * existed): their labels name another installation (or none) and cannot be changed, so the claim is kept here.
 */
export async function claimedStateVolumes(db: DbOrTx): Promise<Set<string>> {
  return new Set((await getSetting<string[]>(db, CLAIMED_VOLUMES_KEY)) ?? []);
}

export async function claimStateVolume(db: DbOrTx, agent: string): Promise<void> {
  const claimed = await claimedStateVolumes(db);
  if (claimed.has(agent)) return;
  claimed.add(agent);
  await putSetting(db, CLAIMED_VOLUMES_KEY, [...claimed]);
}

export async function releaseStateVolumeClaim(db: DbOrTx, agent: string): Promise<void> {
  const claimed = await claimedStateVolumes(db);
  if (!claimed.delete(agent)) return;
  await putSetting(db, CLAIMED_VOLUMES_KEY, [...claimed]);
}
