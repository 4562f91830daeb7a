import "server-only";
import { type Readable, Transform } from "node:stream";
import { DiskUsage, toStateVolume, VolumeItem, VolumeList } from "../docker/engine-schemas";
import { INSTALLATION_LABEL, MANAGED_BY, MANAGED_BY_LABEL, RuntimeError, STATE_LABEL, STATE_MOUNT, type StateVolume, volumeNameFor } from "../types";
import type { EngineClient } from "./engine-client";
import { engineRequest } from "./engine-client";
import type { NodeDirectory } from "./nodes";
import type { Ownership } from "./ownership";

/** A volume still held by a container Swarm is removing is retried for this long. */
const IN_USE_RETRY_MS = 30_000;

const isStateVolume = (volume: StateVolume) => volume.labels[MANAGED_BY_LABEL] === MANAGED_BY && volume.volumeName === volumeNameFor(volume.name);

/**
 * State volumes live on one node each: the dashboard reaches them through each node's own engine. A node whose engine
 * cannot be used now is left out (its volumes are not listed, measured or removed until it answers).
 */
export class SwarmVolumes {
  constructor(
    private readonly nodes: NodeDirectory,
    private readonly ownership: Ownership,
  ) {}

  async list(): Promise<StateVolume[]> {
    const perNode = await Promise.all(
      this.nodes.usableEngines().map(async ([hostname, engine]) => {
        try {
          const raw = await engineRequest(engine.quick, "GET", "/volumes", { query: { filters: { label: [STATE_LABEL] } } });
          return VolumeList.parse(raw).Volumes.map((volume) => toStateVolume(volume, hostname)).filter(isStateVolume);
        } catch (error) {
          if ((error as RuntimeError).kind !== "unavailable") throw error;
          this.nodes.markDown(hostname, (error as Error).message);
          return [];
        }
      }),
    );
    return perNode.flat();
  }

  /** The agent's volume on the node, made (labelled as ours) when missing; one of someone else by that name is refused. */
  async ensureOn(hostname: string, name: string, adopted = false): Promise<StateVolume> {
    const engine = this.nodes.requireEngine(hostname, `the state volume of ${name}`);
    const volumeName = volumeNameFor(name);
    const existing = await this.inspect(engine, volumeName);
    if (existing) {
      if (existing.Labels[STATE_LABEL] !== name) throw new RuntimeError("conflict", `volume ${volumeName} on node ${hostname} exists but does not belong to agent ${name}`, 409);
      // Another installation's state is never taken over by a spawn; only an operator's adoption brings it along.
      const owner = existing.Labels[INSTALLATION_LABEL];
      if (owner && owner !== this.ownership.installation && !adopted) {
        throw new RuntimeError("conflict", `volume ${volumeName} on node ${hostname} belongs to another installation (${owner}); adopt the agent instead`, 409);
      }
      return toStateVolume(existing, hostname);
    }
    await engineRequest(engine.quick, "POST", "/volumes/create", { body: { Name: volumeName, Labels: { [STATE_LABEL]: name, [MANAGED_BY_LABEL]: MANAGED_BY, ...this.ownership.label } } });
    return toStateVolume((await this.inspect(engine, volumeName))!, hostname);
  }

  private async inspect(engine: EngineClient, volumeName: string): Promise<VolumeItem | null> {
    try {
      return VolumeItem.parse(await engineRequest(engine.quick, "GET", `/volumes/${volumeName}`));
    } catch (error) {
      if ((error as RuntimeError).kind === "not_found") return null;
      throw error;
    }
  }

  /** Removes the agent's volume from the node (waiting out a container Swarm is still removing). */
  async removeFrom(hostname: string, name: string): Promise<void> {
    const engine = this.nodes.requireEngine(hostname, `removing the state volume of ${name}`);
    const volumeName = volumeNameFor(name);
    const volume = await this.inspect(engine, volumeName);
    if (!volume) return;
    if (volume.Labels[STATE_LABEL] !== name || volume.Labels[MANAGED_BY_LABEL] !== MANAGED_BY) {
      throw new RuntimeError("conflict", `volume ${volumeName} on node ${hostname} is not a Hive state volume`, 409);
    }
    const deadline = Date.now() + IN_USE_RETRY_MS;
    for (;;) {
      try {
        await engineRequest(engine.slow, "DELETE", `/volumes/${volumeName}`);
        return;
      } catch (error) {
        const failure = error as RuntimeError;
        if (failure.kind === "not_found") return;
        if (failure.kind !== "conflict" || Date.now() > deadline) throw failure;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  /** Removes the agent's volume from every node that has it. */
  async remove(name: string): Promise<void> {
    const holders = (await this.list()).filter((volume) => volume.name === name);
    for (const volume of holders) await this.removeFrom(volume.node, name);
  }

  async sizes(): Promise<Map<string, number>> {
    const sizes = new Map<string, number>();
    await Promise.all(
      this.nodes.usableEngines().map(async ([, engine]) => {
        const usage = DiskUsage.parse(await engineRequest(engine.slow, "GET", "/system/df"));
        for (const volume of usage.Volumes) {
          const name = volume.Labels[STATE_LABEL];
          if (name && volume.Labels[MANAGED_BY_LABEL] === MANAGED_BY && volume.UsageData && volume.UsageData.Size >= 0) {
            sizes.set(name, (sizes.get(name) ?? 0) + volume.UsageData.Size);
          }
        }
      }),
    );
    return sizes;
  }

  /**
   * Copies what the agent's volume holds on one node into its (new, empty) volume on another, through the two engines:
   * a container made (never started) from the agent's image on each side mounts the volume, and the archive of one is
   * unpacked into the other. Answers the bytes copied. The target volume is removed again if the copy fails.
   */
  async copy(name: string, image: string, from: string, to: string): Promise<number> {
    const source = this.nodes.requireEngine(from, `moving ${name}'s state`);
    const target = this.nodes.requireEngine(to, `moving ${name}'s state`);
    const existing = await this.inspect(target, volumeNameFor(name));
    if (existing) throw new RuntimeError("conflict", `node ${to} holds a volume ${volumeNameFor(name)} already: purge or move that first`, 409);
    await this.ensureOn(to, name);
    const helpers: [EngineClient, string][] = [];
    try {
      const reader = await this.helper(source, name, image, from);
      helpers.push([source, reader]);
      const writer = await this.helper(target, name, image, to);
      helpers.push([target, writer]);
      const archive = await engineRequest<Readable>(source.slow, "GET", `/containers/${reader}/archive`, { query: { path: STATE_MOUNT }, stream: true });
      let bytes = 0;
      const counted = archive.pipe(
        new Transform({
          transform(chunk: Buffer, _encoding, done) {
            bytes += chunk.length;
            done(null, chunk);
          },
        }),
      );
      await engineRequest(target.slow, "PUT", `/containers/${writer}/archive`, { query: { path: "/" }, file: counted });
      return bytes;
    } catch (error) {
      await this.removeFrom(to, name).catch(() => undefined);
      throw error;
    } finally {
      for (const [engine, id] of helpers) await engineRequest(engine.slow, "DELETE", `/containers/${id}`, { query: { force: true } }).catch(() => undefined);
    }
  }

  private async helper(engine: EngineClient, name: string, image: string, node: string): Promise<string> {
    try {
      const created = await engineRequest<{ Id: string }>(engine.slow, "POST", "/containers/create", {
        body: {
          Image: image,
          Labels: { [MANAGED_BY_LABEL]: MANAGED_BY, "hive.state-copy": name },
          NetworkDisabled: true,
          HostConfig: { Mounts: [{ Type: "volume", Source: volumeNameFor(name), Target: STATE_MOUNT }] },
        },
      });
      return created.Id;
    } catch (error) {
      if ((error as RuntimeError).kind === "not_found") throw new RuntimeError("conflict", `node ${node} does not have the agent's image ${image}: load it there first`, 409);
      throw error;
    }
  }
}
