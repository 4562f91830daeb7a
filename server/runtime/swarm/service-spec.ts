import "server-only";
import { AGENT_LABEL, type AgentContainerConfig, containerNameFor, type CreateAgentSpec, MANAGED_BY, MANAGED_BY_LABEL, STATE_LABEL, STATE_MOUNT, volumeNameFor } from "../types";
import { STOPPED_LABEL } from "./agent-state";
import { isolatedNetworkFor } from "./isolated-network";
import type { Ownership } from "./ownership";
import type { ServiceSpec } from "./engine-schemas";

/** The network an agent was given, kept on its service (Swarm stores networks by id). */
export const NETWORK_LABEL = "hive.network";
/** Variables images commonly set themselves; not part of an agent's own config. */
const IMAGE_ENV = new Set(["PATH", "HOSTNAME", "HOME", "TERM"]);
/** What Swarm gives a task to stop gracefully before it kills it (restart, rebuild, a stop without the node's engine). */
const STOP_GRACE_NS = 10_000_000_000;

/**
 * The service an agent runs as: one replica at most, pinned to the node holding its state volume, never restarted by
 * Swarm (the dashboard owns restarts), its state volume mounted, labelled as ours. `replicas` 0 until it is started.
 */
export function serviceSpecFor(spec: CreateAgentSpec, pinnedNodeId: string, ownership: Ownership, options: { replicas: number; forceUpdate: number }) {
  const labels = { ...spec.labels, [AGENT_LABEL]: spec.name, [MANAGED_BY_LABEL]: MANAGED_BY, ...ownership.label };
  const env = Object.entries({ ...spec.env, HIVE_AGENT_NAME: spec.name, HIVE_STATE_DIR: STATE_MOUNT }).map(([key, value]) => `${key}=${value}`);
  return {
    Name: containerNameFor(spec.name),
    Labels: spec.network ? { ...labels, [NETWORK_LABEL]: spec.network } : labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: spec.image,
        Args: spec.cmd,
        Env: env,
        TTY: false,
        Labels: labels,
        StopGracePeriod: STOP_GRACE_NS,
        Mounts: [
          {
            Type: "volume",
            Source: volumeNameFor(spec.name),
            Target: STATE_MOUNT,
            VolumeOptions: { Labels: { [STATE_LABEL]: spec.name, [MANAGED_BY_LABEL]: MANAGED_BY, ...ownership.label } },
          },
        ],
      },
      Resources: {
        Limits: {
          MemoryBytes: spec.memoryMb ? spec.memoryMb * 1024 * 1024 : undefined,
          NanoCPUs: spec.cpus ? Math.round(spec.cpus * 1e9) : undefined,
        },
      },
      // The dashboard restarts crashed agents itself (backoff, crash-loop detection); Swarm must never.
      RestartPolicy: { Condition: "none" },
      Placement: { Constraints: [`node.id==${pinnedNodeId}`] },
      Networks: spec.network === "none" ? [{ Target: isolatedNetworkFor(spec.name) }] : spec.network ? [{ Target: spec.network }] : [],
      LogDriver: { Name: "json-file", Options: { "max-size": "10m", "max-file": "3" } },
      ForceUpdate: options.forceUpdate,
    },
    Mode: { Replicated: { Replicas: options.replicas } },
    UpdateConfig: { Parallelism: 1, Order: "stop-first", FailureAction: "pause" },
  };
}

/** The dashboard-managed settings of an agent's service (HIVE_* variables excluded). */
export function configOf(spec: ServiceSpec): AgentContainerConfig {
  const container = spec.TaskTemplate.ContainerSpec;
  const env: Record<string, string> = {};
  for (const entry of container.Env ?? []) {
    const eq = entry.indexOf("=");
    const key = eq < 0 ? entry : entry.slice(0, eq);
    if (key.startsWith("HIVE_") || IMAGE_ENV.has(key)) continue;
    env[key] = eq < 0 ? "" : entry.slice(eq + 1);
  }
  const limits = spec.TaskTemplate.Resources?.Limits;
  return {
    // A tag Swarm pinned to its digest reads as the tag the operator gave.
    image: /^[^@]+:[^@/]+@sha256:[0-9a-f]{64}$/.test(container.Image) ? container.Image.replace(/@sha256:[0-9a-f]{64}$/, "") : container.Image,
    cmd: container.Args ?? undefined,
    env,
    memoryMb: limits?.MemoryBytes ? Math.round(limits.MemoryBytes / 1024 / 1024) : undefined,
    cpus: limits?.NanoCPUs ? limits.NanoCPUs / 1e9 : undefined,
    network: spec.Labels[NETWORK_LABEL],
  };
}

/** The spec with this many replicas, and no longer marked stopped when it has one. */
export function withReplicas(spec: ServiceSpec, replicas: number): void {
  spec.Mode.Replicated = { ...spec.Mode.Replicated, Replicas: replicas };
  if (replicas > 0) delete spec.Labels[STOPPED_LABEL];
  else spec.Labels[STOPPED_LABEL] = "true";
}

/** A forced update: Swarm replaces the agent's task (a new run) even when nothing else changed. */
export function forceUpdate(spec: ServiceSpec): void {
  spec.TaskTemplate.ForceUpdate = (spec.TaskTemplate.ForceUpdate ?? 0) + 1;
}
