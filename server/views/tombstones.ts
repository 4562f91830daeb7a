import type { TombstoneView } from "../contracts/approvals";

const CREDENTIAL_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY)/i;

export type VolumeRecord = { name: string; volumeName: string; createdAt: string | null };
export type StoredAgentRecord = {
  name: string;
  destroyedAt: Date | null;
  config: { image: string; env?: Record<string, string>; secretEnv?: string[] } | null;
};

/**
 * A tombstone is one of our state volumes with no container: an agent destroyed with its state kept (or a
 * volume whose container vanished). Oldest first, so retention candidates lead.
 */
export function buildTombstoneViews(input: {
  volumes: VolumeRecord[];
  containerNames: Set<string>;
  agents: StoredAgentRecord[];
  sizes: Map<string, number> | null;
  crashCounts: Map<string, number>;
  pendingRevivals: Set<string>;
}): TombstoneView[] {
  const agents = new Map(input.agents.map((agent) => [agent.name, agent]));
  return input.volumes
    .filter((volume) => !input.containerNames.has(volume.name))
    .map((volume) => {
      const agent = agents.get(volume.name);
      const env = agent?.config?.env ?? {};
      return {
        name: volume.name,
        volume: volume.volumeName,
        sizeBytes: input.sizes?.get(volume.name) ?? null,
        destroyedAt: agent?.destroyedAt?.toISOString() ?? null,
        volumeCreatedAt: volume.createdAt,
        configKept: Boolean(agent?.config),
        credentialsKept: Boolean(agent?.config?.secretEnv?.length) || Object.keys(env).some((key) => CREDENTIAL_NAME.test(key)),
        image: agent?.config?.image ?? null,
        crashes: input.crashCounts.get(volume.name) ?? 0,
        revivePending: input.pendingRevivals.has(volume.name),
      };
    })
    .sort((a, b) => (a.destroyedAt ?? a.volumeCreatedAt ?? "").localeCompare(b.destroyedAt ?? b.volumeCreatedAt ?? ""));
}
