import "server-only";
import { z } from "zod";
import { type AgentState, type AgentStatsSample, INSTALLATION_LABEL, STATE_LABEL, type StateVolume } from "../types";

// What the engine answers is validated before use: only the fields we read, everything else passes through.

const Labels = z.record(z.string(), z.string()).nullish().transform((value) => value ?? {});

export const ContainerListItem = z.object({
  Id: z.string(),
  Names: z.array(z.string()).default([]),
  Image: z.string(),
  ImageID: z.string().default(""),
  Created: z.number(),
  State: z.string(),
  Status: z.string().default(""),
  Labels,
});
export type ContainerListItem = z.infer<typeof ContainerListItem>;
export const ContainerList = z.array(ContainerListItem);

export const ContainerInspect = z.object({
  Id: z.string(),
  Name: z.string(),
  Created: z.string(),
  Image: z.string(),
  State: z.object({
    Status: z.string(),
    Running: z.boolean(),
    OOMKilled: z.boolean().default(false),
    ExitCode: z.number().default(0),
    StartedAt: z.string().default(""),
    FinishedAt: z.string().default(""),
  }),
  Config: z.object({
    Image: z.string(),
    Labels,
    Tty: z.boolean().default(false),
    Cmd: z.array(z.string()).nullish(),
    Env: z.array(z.string()).nullish(),
  }),
  HostConfig: z
    .object({
      Memory: z.number().nullish(),
      NanoCpus: z.number().nullish(),
      NetworkMode: z.string().nullish(),
    })
    .default({}),
});
export type ContainerInspect = z.infer<typeof ContainerInspect>;

export const VolumeItem = z.object({
  Name: z.string(),
  CreatedAt: z.string().nullish(),
  Labels,
  Mountpoint: z.string().nullish(),
});
export type VolumeItem = z.infer<typeof VolumeItem>;
/** One of our state volumes as the runtime interface tells it, on the node whose engine listed it. */
export const toStateVolume = (volume: VolumeItem, node: string): StateVolume => ({
  name: volume.Labels[STATE_LABEL] ?? "",
  volumeName: volume.Name,
  node,
  installation: volume.Labels[INSTALLATION_LABEL] ?? null,
  createdAt: volume.CreatedAt ?? null,
  labels: volume.Labels,
  mountpoint: volume.Mountpoint ?? null,
});
export const VolumeList = z.object({ Volumes: z.array(VolumeItem).nullish().transform((value) => value ?? []) });

export const DiskUsage = z.object({
  Volumes: z
    .array(z.object({ Name: z.string(), Labels, UsageData: z.object({ Size: z.number() }).nullish() }))
    .nullish()
    .transform((value) => value ?? []),
});

/** The engine's own name for itself (its host's name): the node every agent of a single engine runs on. */
export const SystemInfo = z.object({ Name: z.string().min(1), NCPU: z.number().default(0), MemTotal: z.number().default(0) });

export const EngineEvent = z.object({
  Type: z.string(),
  Action: z.string(),
  Actor: z.object({ ID: z.string(), Attributes: z.record(z.string(), z.string()).default({}) }),
  time: z.number(),
  timeNano: z.number().optional(),
});
export type EngineEvent = z.infer<typeof EngineEvent>;

/** Docker's container states in the neutral words ("restarting" is its restart policy at work; "dead" a failed removal). */
const STATES: Record<string, AgentState> = {
  created: "created",
  running: "running",
  paused: "paused",
  restarting: "starting",
  removing: "removing",
  exited: "exited",
  dead: "exited",
};
export const toAgentState = (value: string): AgentState => STATES[value] ?? "exited";

/** Zero dates ("0001-01-01T00:00:00Z") mean "never" in the engine's answers. */
export const engineDate = (value: string): string | null => (!value || value.startsWith("0001-") ? null : value);

/** The state plus the stable part of the status ("Exited (137)"), without its moving "… ago". */
export function stateKey(item: { State: string; Status: string }): string {
  return `${item.State}|${/^Exited \(\d+\)/.exec(item.Status)?.[0] ?? ""}`;
}

const UNIT_SECONDS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86400, week: 604800, month: 2592000, year: 31536000 };

/**
 * The uptime range the engine's humanized status allows ("Up 3 minutes" is 3-4 minutes, "Up About an hour" is
 * 1-2 hours); null when the status carries no uptime.
 */
export function uptimeRange(status: string): [number, number] | null {
  const text = /^Up (.+?)(?: \(.*\))?$/.exec(status)?.[1];
  if (!text) return null;
  if (text.startsWith("Less than a second")) return [0, 1];
  const about = /^About an? (\w+)$/.exec(text);
  if (about) {
    const unit = UNIT_SECONDS[about[1]!] ?? 1;
    return [unit, unit * 2];
  }
  const counted = /^(\d+) (\w+?)s?$/.exec(text);
  if (!counted) return null;
  const unit = UNIT_SECONDS[counted[2]!] ?? 1;
  return [Number(counted[1]) * unit, (Number(counted[1]) + 1) * unit];
}

/** Whether a cached start time still explains the listed uptime (else the container was restarted). */
export function uptimeFits(item: { Status: string }, inspect: { State: { StartedAt: string } }, now: number): boolean {
  const range = uptimeRange(item.Status);
  if (!range) return true;
  const started = Date.parse(inspect.State.StartedAt);
  if (Number.isNaN(started)) return false;
  const uptime = (now - started) / 1000;
  return uptime >= range[0] - 2 && uptime <= range[1] + 2;
}

/** The engine's one-shot stats (`GET /containers/:id/stats?stream=false&one-shot=true`), the fields we read. */
export const EngineStats = z.object({
  read: z.string(),
  cpu_stats: z.object({
    cpu_usage: z.object({ total_usage: z.number().default(0) }).default({ total_usage: 0 }),
    system_cpu_usage: z.number().nullish(),
    online_cpus: z.number().nullish(),
  }),
  memory_stats: z
    .object({
      usage: z.number().nullish(),
      limit: z.number().nullish(),
      stats: z.record(z.string(), z.number()).nullish(),
    })
    .default({}),
  networks: z.record(z.string(), z.object({ rx_bytes: z.number(), tx_bytes: z.number() })).nullish(),
});

/**
 * A reading in our words (null for a container that is not running). Memory in use leaves out the inactive page cache, as `docker stats` does (cgroup v2 calls it
 * inactive_file, v1 total_inactive_file); a limit at or above the machine's memory is no limit.
 */
export function toStatsSample(raw: unknown, machineMemoryBytes: number | null): AgentStatsSample | null {
  const stats = EngineStats.parse(raw);
  // A container that is not running answers a reading of nothing, dated the zero time.
  if (engineDate(stats.read) === null) return null;
  const memory = stats.memory_stats;
  const inactive = memory.stats?.inactive_file ?? memory.stats?.total_inactive_file ?? 0;
  const usage = memory.usage ?? 0;
  const limit = memory.limit ?? null;
  const networks = stats.networks ? Object.values(stats.networks) : [];
  return {
    at: stats.read,
    cpuTotalNanos: stats.cpu_stats.cpu_usage.total_usage,
    systemCpuNanos: stats.cpu_stats.system_cpu_usage ?? null,
    onlineCpus: stats.cpu_stats.online_cpus ?? 1,
    memoryBytes: Math.max(0, usage - (inactive <= usage ? inactive : 0)),
    memoryLimitBytes: limit && (machineMemoryBytes === null || limit < machineMemoryBytes) ? limit : null,
    network: networks.length
      ? networks.reduce((sum, item) => ({ rxBytes: sum.rxBytes + item.rx_bytes, txBytes: sum.txBytes + item.tx_bytes }), { rxBytes: 0, txBytes: 0 })
      : null,
  };
}
