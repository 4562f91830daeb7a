import "server-only";
import http from "node:http";
import querystring from "node:querystring";
import type { Readable } from "node:stream";
import Docker from "dockerode";
import { withDeadline } from "../../timeout";
import {
  AGENT_LABEL,
  type AgentContainer,
  type AgentContainerConfig,
  type AgentStatsSample,
  type ContainerRuntime,
  containerNameFor,
  type CreateAgentSpec,
  type ForeignAgent,
  INSTALLATION_LABEL,
  type FollowBatch,
  type FollowOptions,
  type LifecycleOutcome,
  type LogLine,
  type LogOptions,
  type LogRead,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  type RawLogLine,
  type RuntimeCapabilities,
  type RuntimeCommon,
  RuntimeError,
  type RuntimeEvent,
  type RuntimeNode,
  STATE_LABEL,
  STATE_MOUNT,
  type StateVolume,
  volumeNameFor,
} from "../types";
import { decodeLine, LogDemuxer } from "./demultiplexer";
import { type DockerEndpoint, parseDockerHost } from "./endpoint";
import {
  ContainerInspect,
  ContainerList,
  type ContainerListItem,
  DiskUsage,
  EngineEvent,
  engineDate,
  stateKey,
  SystemInfo,
  toAgentState,
  toStateVolume,
  toStatsSample,
  uptimeFits,
  VolumeItem,
  VolumeList,
} from "./engine-schemas";
import { classifyEngineError, type EngineFailure } from "./errors";
import { EventTranslator } from "./events";
import { CursorBuilder, decodeCursor, encodeCursor, engineSince, resumeFilter, timestampNanos } from "./log-cursor";
import { readEngineStream, readLogBatches } from "./log-stream";
import { rawEngineGet } from "./raw-log-reader";
import { StreamingAgent } from "./streaming-agent";
import type { DockerSettings } from "./settings";

/** Variables images commonly set themselves; not part of an agent's own config. */
const IMAGE_ENV = new Set(["PATH", "HOSTNAME", "HOME", "TERM"]);

const ID_CACHE_MS = 15_000;
/** With no stamped line to go by, a read's cursor starts this long before the read: nothing was there then. */
const EMPTY_READ_LOOKBACK_MS = 5_000;

/** What a parked container's name carries between the agent's container name and the time it was parked. */
const REPLACED_INFIX = "-replaced-";
const parkedAt = (item: ContainerListItem, prefix: string) =>
  Number(item.Names.find((name) => name.startsWith(prefix))?.slice(prefix.length) ?? 0);

/** A run of a container: one start of it (the container id alone outlives its runs). */
const runIdOf = (containerId: string, startedAt: string | null) => (startedAt ? `${containerId.slice(0, 12)}@${startedAt}` : null);

export type DockerRuntimeOptions = DockerSettings & RuntimeCommon;

/** The engine's log query: `since` in its own form ("1700000000.123456789"). */
type EngineLogQuery = { follow: boolean; stdout: boolean; stderr: boolean; tail: number | "all"; timestamps: boolean; since?: string };

export class DockerRuntime implements ContainerRuntime {
  readonly kind = "docker";
  readonly endpoint: string;
  readonly capabilities: RuntimeCapabilities;
  private readonly restartPolicy: DockerSettings["restartPolicy"];
  /** The engine's name for its host, asked once: the node of every agent. */
  private node: string | undefined;
  private nodeAsked: Promise<string> | undefined;
  /** The machine's memory (a container limit at or above it is no limit), learnt with its name. */
  private machineMemoryBytes: number | null = null;
  /** Short calls (list, inspect) fail fast on a hung engine. */
  private readonly quick: Docker;
  /**
   * The ping, on a connection of its own each time: a stopping dockerd closes its listener but keeps serving the
   * connections it has, so a pooled one would say the engine is there while it goes away.
   */
  private readonly pinging: Docker;
  /** Lifecycle calls legitimately wait for a stop timeout or an image to be created. */
  private readonly slow: Docker;
  /** Streams (events, followed logs) stay open for as long as the caller wants. */
  private readonly streaming: Docker;
  private readonly probeTimeoutMs: number;
  private readonly address: DockerEndpoint;
  /** This installation: stamped on what the driver creates; every list, action and event is limited to its own. */
  private readonly installation: string;
  /** Unlabelled agents from before installation identities that this installation's database knew: still its own. */
  private readonly legacyAgents: ReadonlySet<string>;
  /** The engine-side label filter: ours alone when nothing unlabelled is ours, else every agent (then `ours`). */
  private readonly ownFilter: string[];
  private readonly ids = new Map<string, { id: string; at: number }>();
  private readonly startedAtCache = new Map<string, { key: string; inspect: ContainerInspect }>();
  /** Whether a container has a TTY never changes, so log reads ask only once per container. */
  private readonly ttyById = new Map<string, boolean>();
  /** Open engine log-follow responses per agent, counted from the engine's answer until the response closes. */
  private readonly logStreams = new Map<string, number>();

  constructor(options: DockerRuntimeOptions) {
    this.endpoint = options.dockerHost;
    this.restartPolicy = options.restartPolicy;
    this.capabilities = { restartsAgentsItself: options.restartPolicy !== "no", placement: false };
    const endpoint = parseDockerHost(options.dockerHost);
    this.address = endpoint;
    this.probeTimeoutMs = options.probeTimeoutMs;
    this.installation = options.installation;
    this.legacyAgents = new Set(options.legacyAgents ?? []);
    this.ownFilter = this.legacyAgents.size ? [] : [`${INSTALLATION_LABEL}=${options.installation}`];
    // The socket timeout is a backstop; quick calls race their own deadline to report ETIMEDOUT clearly.
    this.quick = new Docker({ ...endpoint, timeout: options.probeTimeoutMs + 1_000 });
    const freshConnections: Docker.DockerOptions & { agent: http.Agent } = { ...endpoint, timeout: options.probeTimeoutMs + 1_000, agent: new StreamingAgent({ keepAlive: false }) };
    this.pinging = new Docker(freshConnections);
    this.slow = new Docker({ ...endpoint, timeout: 15 * 60_000 });
    // Each stream owns its connection, closed with it: an ended follow never idles on as a pooled socket.
    const ownConnections: Docker.DockerOptions & { agent: http.Agent } = { ...endpoint, agent: new StreamingAgent({ keepAlive: false }) };
    this.streaming = new Docker(ownConnections);
  }

  /** Whether a container (by its labels) is this installation's to manage. */
  private ours(labels: Record<string, string> | undefined): boolean {
    const owner = labels?.[INSTALLATION_LABEL];
    return owner === this.installation || (owner === undefined && this.legacyAgents.has(labels?.[AGENT_LABEL] ?? ""));
  }

  /** This installation's containers carrying the agent label (of one agent, or all). */
  private async listOwn(agent?: string): Promise<ContainerListItem[]> {
    const label = agent === undefined ? AGENT_LABEL : `${AGENT_LABEL}=${agent}`;
    const raw = await this.call(() => this.quick.listContainers({ all: true, filters: { label: [label, ...this.ownFilter] } }));
    return ContainerList.parse(raw).filter((item) => this.ours(item.Labels));
  }

  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw classifyEngineError(error);
    }
  }

  /** The engine's host name, asked once (and again only after a failed ask). */
  private async nodeName(): Promise<string> {
    if (this.node) return this.node;
    this.nodeAsked ??= this.call(() => this.quick.info()).then(
      (info) => {
        const parsed = SystemInfo.parse(info);
        this.machineMemoryBytes = parsed.MemTotal || null;
        return (this.node = parsed.Name);
      },
      (error: unknown) => {
        this.nodeAsked = undefined;
        throw error;
      },
    );
    return this.nodeAsked;
  }

  async ping(): Promise<void> {
    await withDeadline(
      this.call(() => this.pinging.ping()),
      this.probeTimeoutMs,
      () => new RuntimeError("unavailable", `ETIMEDOUT: the engine did not answer within ${this.probeTimeoutMs} ms`),
    );
  }

  /** One engine, one node: its host, as the engine describes itself. */
  async listNodes(): Promise<RuntimeNode[]> {
    const info = SystemInfo.parse(await this.call(() => this.quick.info()));
    this.node = info.Name;
    return [
      {
        name: info.Name,
        role: "engine",
        availability: "active",
        state: "ready",
        engineReachable: true,
        engineProblem: null,
        leader: false,
        cpus: info.NCPU,
        memoryBytes: info.MemTotal,
      },
    ];
  }

  async moveAgent(): Promise<{ bytes: number }> {
    throw new RuntimeError("invalid", "a single Docker engine is one node: there is no other node to move an agent to");
  }

  async listAgents(): Promise<AgentContainer[]> {
    const items = await this.listOwn();
    const [details, node] = await Promise.all([this.inspectChanged(items), this.nodeName()]);
    const live = new Set(items.map((item) => item.Id));
    for (const id of this.startedAtCache.keys()) if (!live.has(id)) this.startedAtCache.delete(id);
    // During a rebuild the old container briefly coexists (renamed); the one with the agent's own name wins.
    const byAgent = new Map<string, ContainerListItem>();
    for (const item of items) {
      const agent = item.Labels[AGENT_LABEL] ?? "";
      const current = byAgent.get(agent);
      if (!current || item.Names.includes(`/${containerNameFor(agent)}`)) byAgent.set(agent, item);
    }
    const now = Date.now();
    for (const [agent, item] of byAgent) this.ids.set(agent, { id: item.Id, at: now });
    return [...byAgent.values()].map((item) => this.toAgentContainer(item, details.get(item.Id), node));
  }

  async listForeignAgents(): Promise<ForeignAgent[]> {
    const raw = await this.call(() => this.quick.listContainers({ all: true, filters: { label: [AGENT_LABEL] } }));
    const byAgent = new Map<string, ContainerListItem>();
    for (const item of ContainerList.parse(raw)) {
      if (this.ours(item.Labels)) continue;
      const agent = item.Labels[AGENT_LABEL] ?? "";
      if (!byAgent.has(agent) || item.Names.includes(`/${containerNameFor(agent)}`)) byAgent.set(agent, item);
    }
    return [...byAgent.entries()].map(([name, item]) => ({
      name,
      containerName: (item.Names[0] ?? "").replace(/^\//, ""),
      installation: item.Labels[INSTALLATION_LABEL] ?? null,
      state: toAgentState(item.State),
      image: item.Image,
      createdAt: new Date(item.Created * 1000).toISOString(),
    }));
  }

  // The list call lacks start times and exit details. Inspect a container only when the list shows it changed:
  // a new state, or an uptime that no longer fits the start time we know (it was restarted meanwhile).
  private async inspectChanged(items: ContainerListItem[]) {
    const result = new Map<string, ContainerInspect>();
    const pending: ContainerListItem[] = [];
    const now = Date.now();
    for (const item of items) {
      const cached = this.startedAtCache.get(item.Id);
      if (cached && cached.key === stateKey(item) && uptimeFits(item, cached.inspect, now)) result.set(item.Id, cached.inspect);
      else pending.push(item);
    }
    const queue = [...pending];
    const workers = Array.from({ length: Math.min(8, queue.length) }, async () => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        const inspect = await this.inspectById(item.Id);
        if (!inspect) continue;
        result.set(item.Id, inspect);
        this.startedAtCache.set(item.Id, { key: stateKey(item), inspect });
      }
    });
    await Promise.all(workers);
    return result;
  }

  /** Forgets what is known about an agent's container so the next list inspects it again. */
  private forget(name: string) {
    for (const [id, entry] of this.startedAtCache) {
      if (entry.inspect.Config.Labels[AGENT_LABEL] === name) this.startedAtCache.delete(id);
    }
  }

  private async inspectById(id: string) {
    try {
      const inspect = ContainerInspect.parse(await this.quick.getContainer(id).inspect());
      // Reading a log needs to know how it is framed; a dead container's inspect can keep a busy engine waiting.
      this.rememberTty(id, inspect.Config.Tty);
      return inspect;
    } catch (error) {
      const classified = classifyEngineError(error);
      if (classified.kind === "not_found") return null;
      throw classified;
    }
  }

  private toAgentContainer(item: ContainerListItem, inspect: ContainerInspect | undefined, node: string): AgentContainer {
    const startedAt = inspect ? engineDate(inspect.State.StartedAt) : null;
    return {
      name: item.Labels[AGENT_LABEL] ?? "",
      containerId: item.Id,
      runId: runIdOf(item.Id, startedAt),
      node,
      containerName: (item.Names[0] ?? "").replace(/^\//, ""),
      image: item.Image,
      imageId: item.ImageID,
      state: toAgentState(inspect?.State.Status ?? item.State),
      createdAt: new Date(item.Created * 1000).toISOString(),
      startedAt,
      finishedAt: inspect ? engineDate(inspect.State.FinishedAt) : null,
      exitCode: inspect && !inspect.State.Running && engineDate(inspect.State.FinishedAt) ? inspect.State.ExitCode : null,
      oomKilled: inspect?.State.OOMKilled ?? false,
      labels: item.Labels,
    };
  }

  /** The container carrying our labels for this agent, found by label (never by a name alone). */
  private async resolve(name: string) {
    const items = await this.listOwn(name);
    const item = items.find((entry) => entry.Names.includes(`/${containerNameFor(name)}`)) ?? items[0] ?? null;
    if (item) this.ids.set(name, { id: item.Id, at: Date.now() });
    else this.ids.delete(name);
    return item;
  }

  /** The agent's container id, from a short-lived cache (a stale id is caught by the caller and re-resolved). */
  private async resolveId(name: string, fresh = false): Promise<string | null> {
    const cached = this.ids.get(name);
    if (!fresh && cached && Date.now() - cached.at < ID_CACHE_MS) return cached.id;
    return (await this.resolve(name))?.Id ?? null;
  }

  private async resolveIdOrThrow(name: string, fresh = false): Promise<string> {
    const id = await this.resolveId(name, fresh);
    if (!id) throw new RuntimeError("not_found", `no container for agent ${name}`, 404);
    return id;
  }

  /** The agent's container when another installation (or none) has it: only adoption touches it. */
  private async resolveForeign(name: string) {
    const raw = await this.call(() => this.quick.listContainers({ all: true, filters: { label: [`${AGENT_LABEL}=${name}`] } }));
    const items = ContainerList.parse(raw).filter((item) => !this.ours(item.Labels));
    return items.find((entry) => entry.Names.includes(`/${containerNameFor(name)}`)) ?? items[0] ?? null;
  }

  private async resolveOrThrow(name: string) {
    const item = await this.resolve(name);
    if (!item) throw new RuntimeError("not_found", `no container for agent ${name}`, 404);
    return item;
  }

  async inspectAgent(name: string): Promise<AgentContainer | null> {
    for (const fresh of [false, true]) {
      const id = await this.resolveId(name, fresh);
      if (!id) return null;
      const inspect = await this.inspectById(id);
      // A cached id may name a container that is gone or was parked by a rebuild: look again.
      const labels = inspect?.Config.Labels;
      if (inspect && inspect.Name === `/${containerNameFor(name)}` && labels?.[AGENT_LABEL] === name && this.ours(labels)) {
        this.ids.set(name, { id, at: Date.now() }); // confirmed: good for another while
        return this.fromInspect(inspect, await this.nodeName());
      }
      this.ids.delete(name);
    }
    return null;
  }

  private fromInspect(inspect: ContainerInspect, node: string): AgentContainer {
    const finishedAt = engineDate(inspect.State.FinishedAt);
    const startedAt = engineDate(inspect.State.StartedAt);
    return {
      name: inspect.Config.Labels[AGENT_LABEL] ?? "",
      containerId: inspect.Id,
      runId: runIdOf(inspect.Id, startedAt),
      node,
      containerName: inspect.Name.replace(/^\//, ""),
      image: inspect.Config.Image,
      imageId: inspect.Image,
      state: toAgentState(inspect.State.Status),
      createdAt: inspect.Created,
      startedAt,
      finishedAt,
      exitCode: !inspect.State.Running && finishedAt ? inspect.State.ExitCode : null,
      oomKilled: inspect.State.OOMKilled,
      labels: inspect.Config.Labels,
    };
  }

  async ensureStateVolume(name: string, adopted = false): Promise<StateVolume> {
    const volumeName = volumeNameFor(name);
    const existing = await this.call(() => this.quick.getVolume(volumeName).inspect()).catch((error: RuntimeError) => {
      if (error.kind === "not_found") return null;
      throw error;
    });
    if (existing) {
      const volume = VolumeItem.parse(existing);
      if (volume.Labels[STATE_LABEL] !== name) {
        throw new RuntimeError("conflict", `volume ${volumeName} exists but does not belong to agent ${name}`, 409);
      }
      // Another installation's state is never taken over by a spawn; only an operator's adoption brings it along.
      const owner = volume.Labels[INSTALLATION_LABEL];
      if (owner && owner !== this.installation && !adopted) {
        throw new RuntimeError("conflict", `volume ${volumeName} belongs to another installation (${owner}); adopt the agent instead`, 409);
      }
      return toStateVolume(volume, await this.nodeName());
    }
    await this.call(() =>
      this.quick.createVolume({
        Name: volumeName,
        Labels: { [STATE_LABEL]: name, [MANAGED_BY_LABEL]: MANAGED_BY, [INSTALLATION_LABEL]: this.installation },
      }),
    );
    const created = await this.call(() => this.quick.getVolume(volumeName).inspect());
    return toStateVolume(VolumeItem.parse(created), await this.nodeName());
  }

  async readAgentConfig(name: string, options: { foreign?: boolean } = {}): Promise<AgentContainerConfig | null> {
    const item = options.foreign ? await this.resolveForeign(name) : await this.resolve(name);
    if (!item) return null;
    const inspect = await this.inspectById(item.Id);
    if (!inspect) return null;
    const env: Record<string, string> = {};
    for (const entry of inspect.Config.Env ?? []) {
      const eq = entry.indexOf("=");
      const key = eq < 0 ? entry : entry.slice(0, eq);
      // The dashboard sets HIVE_* itself; PATH and friends come from the image.
      if (key.startsWith("HIVE_") || IMAGE_ENV.has(key)) continue;
      env[key] = eq < 0 ? "" : entry.slice(eq + 1);
    }
    const network = inspect.HostConfig.NetworkMode;
    return {
      image: inspect.Config.Image,
      cmd: inspect.Config.Cmd ?? undefined,
      env,
      memoryMb: inspect.HostConfig.Memory ? Math.round(inspect.HostConfig.Memory / 1024 / 1024) : undefined,
      cpus: inspect.HostConfig.NanoCpus ? inspect.HostConfig.NanoCpus / 1e9 : undefined,
      network: network && network !== "default" && network !== "bridge" ? network : undefined,
    };
  }

  async recreateAgent(spec: CreateAgentSpec, stopTimeoutSeconds: number): Promise<{ containerId: string }> {
    return this.replace(await this.resolveOrThrow(spec.name), spec, stopTimeoutSeconds, "always");
  }

  async adoptAgent(spec: CreateAgentSpec, stopTimeoutSeconds: number): Promise<{ containerId: string }> {
    const old = await this.resolveForeign(spec.name);
    if (!old) throw new RuntimeError("not_found", `no agent ${spec.name} of another installation`, 404);
    return this.replace(old, { ...spec, adoptedVolume: true }, stopTimeoutSeconds, "if-running");
  }

  /**
   * Replaces a container with one made from `spec`: the old one is stopped and parked under a name that says when
   * (`hive-<agent>-replaced-<ms>`), the new one made and started, then the old one removed; a failure puts the old one
   * back. A process that dies in between leaves the parked one: `settleInterruptedRecreate` finishes or undoes it.
   */
  private async replace(old: ContainerListItem, spec: CreateAgentSpec, stopTimeoutSeconds: number, start: "always" | "if-running") {
    this.ids.delete(spec.name);
    const oldContainer = this.slow.getContainer(old.Id);
    const wasRunning = old.State === "running" || old.State === "restarting";
    this.forget(spec.name);
    await this.call(() => oldContainer.stop({ t: stopTimeoutSeconds })).catch((error: RuntimeError) => {
      if (error.statusCode !== 304) throw error;
    });
    const parked = `${containerNameFor(spec.name)}${REPLACED_INFIX}${Date.now()}`;
    await this.call(() => oldContainer.rename({ name: parked }));
    let created: { containerId: string } | undefined;
    try {
      created = await this.createAgent(spec);
      if (start === "always" || wasRunning) await this.call(() => this.slow.getContainer(created!.containerId).start());
    } catch (error) {
      // Put the old container back exactly as it was.
      if (created) await this.slow.getContainer(created.containerId).remove({ force: true }).catch(() => undefined);
      await oldContainer.rename({ name: containerNameFor(spec.name) }).catch(() => undefined);
      if (wasRunning) await oldContainer.start().catch(() => undefined);
      throw error instanceof RuntimeError ? error : classifyEngineError(error);
    }
    await oldContainer.remove({ force: true, v: false }).catch(() => undefined);
    this.ids.set(spec.name, { id: created.containerId, at: Date.now() });
    return created;
  }

  async listInterruptedRecreates(): Promise<string[]> {
    const agents = new Set<string>();
    for (const item of await this.listOwn()) {
      const agent = item.Labels[AGENT_LABEL] ?? "";
      if (item.Names.some((name) => name.startsWith(`/${containerNameFor(agent)}${REPLACED_INFIX}`))) agents.add(agent);
    }
    return [...agents];
  }

  async settleInterruptedRecreate(name: string): Promise<"kept-new" | "restored-old"> {
    const items = await this.listOwn(name);
    const parkedPrefix = `/${containerNameFor(name)}${REPLACED_INFIX}`;
    const parked = items
      .filter((item) => item.Names.some((entry) => entry.startsWith(parkedPrefix)))
      .sort((a, b) => parkedAt(b, parkedPrefix) - parkedAt(a, parkedPrefix));
    const current = items.find((item) => item.Names.includes(`/${containerNameFor(name)}`));
    this.forget(name);
    this.ids.delete(name);
    // The new one was made: the old one's removal is all that was left. Else the old one is put back (not started:
    // the desired state decides that).
    const leftovers = current ? parked : parked.slice(1);
    if (!current && parked[0]) await this.call(() => this.slow.getContainer(parked[0]!.Id).rename({ name: containerNameFor(name) }));
    for (const item of leftovers) {
      await this.call(() => this.slow.getContainer(item.Id).remove({ force: true, v: false })).catch((error: RuntimeError) => {
        if (error.kind !== "not_found") throw error;
      });
    }
    return current ? "kept-new" : "restored-old";
  }

  async createAgent(spec: CreateAgentSpec): Promise<{ containerId: string }> {
    this.ids.delete(spec.name);
    const volume = await this.ensureStateVolume(spec.name, spec.adoptedVolume);
    const env = Object.entries({ ...spec.env, HIVE_AGENT_NAME: spec.name, HIVE_STATE_DIR: STATE_MOUNT }).map(
      ([key, value]) => `${key}=${value}`,
    );
    const container = await this.call(() =>
      this.slow.createContainer({
        name: containerNameFor(spec.name),
        Image: spec.image,
        Cmd: spec.cmd,
        Env: env,
        Tty: false,
        Labels: { ...spec.labels, [AGENT_LABEL]: spec.name, [MANAGED_BY_LABEL]: MANAGED_BY, [INSTALLATION_LABEL]: this.installation },
        HostConfig: {
          Mounts: [{ Type: "volume", Source: volume.volumeName, Target: STATE_MOUNT }],
          Memory: spec.memoryMb ? spec.memoryMb * 1024 * 1024 : undefined,
          // The limit is the limit: no swap beyond it, so a runaway agent is stopped rather than slowed to a crawl.
          MemorySwap: spec.memoryMb ? spec.memoryMb * 1024 * 1024 : undefined,
          NanoCpus: spec.cpus ? Math.round(spec.cpus * 1e9) : undefined,
          NetworkMode: spec.network,
          // By default the dashboard restarts crashed agents itself (with backoff and crash-loop detection).
          RestartPolicy: { Name: this.restartPolicy },
          LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "3" } },
        },
      }),
    );
    return { containerId: container.id };
  }

  private async lifecycle(name: string, work: (container: Docker.Container) => Promise<unknown>): Promise<LifecycleOutcome> {
    this.forget(name);
    for (const fresh of [false, true]) {
      const id = await this.resolveIdOrThrow(name, fresh);
      try {
        await work(this.slow.getContainer(id));
        return "changed";
      } catch (error) {
        const failure = error as EngineFailure;
        // Already started / already stopped: the engine answers 304, which is not a failure.
        if (failure.statusCode === 304) return "unchanged";
        // A cached id for a container that is gone: resolve again once.
        if (failure.statusCode === 404 && !fresh) {
          this.ids.delete(name);
          continue;
        }
        throw classifyEngineError(error);
      }
    }
    throw new RuntimeError("not_found", `no container for agent ${name}`, 404); // not reached: a fresh 404 is thrown above
  }

  startAgent(name: string) {
    return this.lifecycle(name, (container) => container.start());
  }

  stopAgent(name: string, timeoutSeconds: number) {
    return this.lifecycle(name, (container) => container.stop({ t: timeoutSeconds }));
  }

  restartAgent(name: string, timeoutSeconds: number) {
    return this.lifecycle(name, (container) => container.restart({ t: timeoutSeconds }));
  }

  async agentStats(name: string): Promise<AgentStatsSample | null> {
    await this.nodeName();
    for (const fresh of [false, true]) {
      const id = await this.resolveId(name, fresh);
      if (!id) return null;
      try {
        const raw = await this.quick.getContainer(id).stats({ stream: false, "one-shot": true } as { stream: false });
        return toStatsSample(raw, this.machineMemoryBytes);
      } catch (error) {
        if ((error as EngineFailure).statusCode === 404 && !fresh) {
          this.ids.delete(name);
          continue;
        }
        throw classifyEngineError(error);
      }
    }
    return null;
  }

  async killAgent(name: string, signal = "SIGKILL") {
    try {
      await this.lifecycle(name, (container) => container.kill({ signal }));
    } catch (error) {
      // Killing a container that is not running is the same no-op as stopping a stopped one.
      if ((error as RuntimeError).kind === "conflict" && /is not running/i.test((error as Error).message)) return;
      throw error;
    }
  }

  async removeAgent(name: string) {
    const item = await this.resolve(name);
    this.ids.delete(name);
    if (!item) return;
    this.forget(name);
    try {
      await this.slow.getContainer(item.Id).remove({ force: true, v: false });
    } catch (error) {
      const classified = classifyEngineError(error);
      // Already gone, or already being removed: the outcome the caller wants.
      if (classified.kind === "not_found") return;
      if (classified.kind === "conflict" && /already in progress/i.test(classified.message)) return;
      throw classified;
    }
  }

  async listStateVolumes(): Promise<StateVolume[]> {
    const [raw, node] = await Promise.all([this.call(() => this.quick.listVolumes({ filters: { label: [STATE_LABEL] } })), this.nodeName()]);
    return VolumeList.parse(raw)
      .Volumes.filter((volume) => volume.Labels[MANAGED_BY_LABEL] === MANAGED_BY)
      .map((volume) => toStateVolume(volume, node))
      .filter((volume) => volume.volumeName === volumeNameFor(volume.name));
  }

  async removeStateVolume(name: string) {
    const volumeName = volumeNameFor(name);
    try {
      const volume = VolumeItem.parse(await this.quick.getVolume(volumeName).inspect());
      if (volume.Labels[STATE_LABEL] !== name || volume.Labels[MANAGED_BY_LABEL] !== MANAGED_BY) {
        throw new RuntimeError("conflict", `volume ${volumeName} is not a Hive state volume`, 409);
      }
      await this.slow.getVolume(volumeName).remove();
    } catch (error) {
      if (error instanceof RuntimeError) throw error;
      const classified = classifyEngineError(error);
      if (classified.kind === "not_found") return;
      throw classified;
    }
  }

  async stateVolumeSizes(): Promise<Map<string, number>> {
    const raw = await this.call(() => this.slow.df());
    const sizes = new Map<string, number>();
    for (const volume of DiskUsage.parse(raw).Volumes) {
      const name = volume.Labels[STATE_LABEL];
      if (name && volume.Labels[MANAGED_BY_LABEL] === MANAGED_BY && volume.UsageData && volume.UsageData.Size >= 0) {
        sizes.set(name, volume.UsageData.Size);
      }
    }
    return sizes;
  }

  /** The agent's container id and whether it has a TTY (which decides the log framing); both cached. */
  private async logTarget(name: string, fresh: boolean): Promise<{ id: string; tty: boolean }> {
    const id = await this.resolveIdOrThrow(name, fresh);
    let tty = this.ttyById.get(id);
    if (tty === undefined) {
      const inspect = await this.inspectById(id);
      if (!inspect) throw new RuntimeError("not_found", `no container for agent ${name}`, 404);
      tty = inspect.Config.Tty;
    }
    return { id, tty };
  }

  private rememberTty(id: string, tty: boolean) {
    if (this.ttyById.get(id) === tty) return;
    if (this.ttyById.size > 1_000) this.ttyById.clear();
    this.ttyById.set(id, tty);
  }

  /**
   * Opens the engine's log response as a stream, also when not following: the lines are demultiplexed as they
   * arrive instead of being buffered, stringified and tried as JSON first (dockerode's non-stream path).
   */
  private async openLogStream(name: string, query: EngineLogQuery, signal?: AbortSignal) {
    for (const fresh of [false, true]) {
      const target = await this.logTarget(name, fresh);
      const client = query.follow ? this.streaming : this.slow;
      const { since, ...rest } = query;
      const options = since === undefined ? rest : { ...rest, since };
      try {
        if (!query.follow && !("protocol" in this.address && this.address.protocol === "https")) {
          return { stream: await rawEngineGet(this.address, `/containers/${target.id}/logs?${querystring.stringify(options)}`, signal), tty: target.tty };
        }
        const stream = await new Promise<Readable>((resolve, reject) => {
          client.modem.dial(
            {
              path: `/containers/${target.id}/logs?`,
              method: "GET",
              isStream: true,
              abortSignal: signal,
              statusCodes: { 200: true, 404: "no such container", 500: "server error" },
              options,
            },
            (error: unknown, stream: unknown) => (error ? reject(error) : resolve(stream as Readable)),
          );
        });
        return { stream, tty: target.tty };
      } catch (error) {
        const failure = error as EngineFailure;
        // A cached id for a container that is gone (removed, rebuilt): resolve again once.
        if (failure.statusCode === 404 && !fresh) {
          this.ids.delete(name);
          continue;
        }
        throw classifyEngineError(error);
      }
    }
    throw new RuntimeError("not_found", `no container for agent ${name}`, 404);
  }

  async logs(name: string, options: LogOptions): Promise<LogLine[]> {
    const lines: LogLine[] = [];
    for await (const batch of await this.readRaw(name, options)) {
      for (const line of batch) lines.push(options.timestamps ? decodeLine(line) : { ...decodeLine(line), timestamp: null });
    }
    return lines;
  }

  async readLogs(name: string, options: Omit<LogOptions, "timestamps">, signal?: AbortSignal): Promise<LogRead> {
    const startedAt = Date.now();
    const batches = await this.readRaw(name, { ...options, timestamps: true }, signal);
    // The cursor needs the stamps (of the last second of lines, but which those are is known only at the end): each
    // is parsed as its line passes, while the engine is still sending.
    const builder = new CursorBuilder();
    return {
      batches: (async function* () {
        for await (const batch of batches) {
          for (const line of batch) builder.add(line.timestamp);
          yield batch;
        }
      })(),
      cursor: () => encodeCursor(builder.cursor() ?? { afterNanos: BigInt(startedAt - EMPTY_READ_LOOKBACK_MS) * 1_000_000n, count: 0 }),
    };
  }

  private async readRaw(name: string, options: LogOptions, signal?: AbortSignal): Promise<AsyncIterable<RawLogLine[]>> {
    const since = options.since === undefined ? undefined : timestampNanos(options.since);
    if (since === null) throw new RuntimeError("invalid", `not an RFC 3339 time: ${options.since}`);
    const query: EngineLogQuery = {
      follow: false,
      stdout: options.stdout,
      stderr: options.stderr,
      tail: options.tail,
      timestamps: options.timestamps,
      since: since === undefined ? undefined : engineSince(since),
    };
    const { stream, tty } = await this.openLogStream(name, query, signal);
    return readLogBatches(stream, new LogDemuxer(tty, options.timestamps));
  }

  followLogs(name: string, options: FollowOptions, signal: AbortSignal): AsyncIterable<FollowBatch> {
    const from = options.from === undefined ? null : decodeCursor(options.from);
    if (from === null && options.from !== undefined) throw new RuntimeError("invalid", "not a log cursor of this engine");
    return this.follow(name, options, from, signal);
  }

  private async *follow(name: string, options: FollowOptions, from: { afterNanos: bigint; count: number } | null, signal: AbortSignal): AsyncIterable<FollowBatch> {
    if (signal.aborted) return;
    // From the cursor (the engine's since is inclusive; the lines the reader has come first and are dropped); with no
    // cursor, new lines only.
    const query: EngineLogQuery = {
      follow: true,
      stdout: options.stdout,
      stderr: options.stderr,
      tail: from === null ? 0 : "all",
      timestamps: true,
      since: from === null ? undefined : engineSince(from.afterNanos),
    };
    let opened: { stream: Readable; tty: boolean };
    try {
      opened = await this.openLogStream(name, query, signal);
    } catch (error) {
      // Aborted while the engine was still answering: the request is gone with the signal, nothing to report.
      if (signal.aborted) return;
      throw error;
    }
    const { stream, tty } = opened;
    stream.on("error", () => undefined);
    this.countLogStream(name, 1);
    stream.once("close", () => this.countLogStream(name, -1));
    // The signal may have fired between the engine's answer and here, when no listener was attached yet.
    if (signal.aborted) stream.destroy();
    const demuxer = new LogDemuxer(tty, true);
    // Every line from the cursor on counts for the next cursor, the ones the reader holds included.
    const builder = new CursorBuilder();
    const keep = resumeFilter(from?.count ?? 0);
    const take = (lines: LogLine[]): FollowBatch[] => {
      const fresh: LogLine[] = [];
      for (const line of lines) {
        builder.add(line.timestamp);
        if (keep()) fresh.push(line);
      }
      return fresh.length ? [{ lines: fresh, cursor: encodeCursor(builder.cursor() ?? from!) }] : [];
    };
    yield* readEngineStream(stream, signal, (chunk) => take(demuxer.push(chunk)), () => take(demuxer.flush()));
  }

  private countLogStream(name: string, delta: number) {
    const count = (this.logStreams.get(name) ?? 0) + delta;
    if (count > 0) this.logStreams.set(name, count);
    else this.logStreams.delete(name);
  }

  openLogStreams(): Record<string, number> {
    return Object.fromEntries(this.logStreams);
  }

  async *events(signal: AbortSignal): AsyncIterable<RuntimeEvent> {
    const stream = (await this.call(() =>
      this.streaming.getEvents({
        filters: { type: ["container"], label: [AGENT_LABEL, ...this.ownFilter] },
        abortSignal: signal,
      } as Docker.GetEventsOptions),
    )) as unknown as Readable;
    const translator = new EventTranslator();
    let partial = "";
    const parse = (chunk: Buffer): RuntimeEvent[] => {
      const pieces = (partial + chunk.toString("utf8")).split("\n");
      partial = pieces.pop() ?? "";
      const events: RuntimeEvent[] = [];
      for (const piece of pieces) {
        if (!piece.trim()) continue;
        let json: unknown;
        try {
          json = JSON.parse(piece);
        } catch {
          continue;
        }
        const parsed = EngineEvent.safeParse(json);
        // Container events carry the container's labels: another installation's agents are not heard.
        const event = parsed.success && this.ours(parsed.data.Actor.Attributes) ? translator.translate(parsed.data) : null;
        if (event) events.push(event);
      }
      return events;
    };
    for await (const event of readEngineStream(stream, signal, parse, () => [])) {
      if (event.type !== "agent-changed") this.forget(event.agent);
      yield event;
    }
  }
}
