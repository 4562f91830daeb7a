import "server-only";
import { once } from "node:events";
import http from "node:http";
import net from "node:net";
import querystring from "node:querystring";
import { PassThrough, type Readable } from "node:stream";
import Docker from "dockerode";
import { z } from "zod";
import { withDeadline } from "../timeout";
import { humanStatus } from "./status-line";
import {
  AGENT_LABEL,
  type AgentContainer,
  type AgentContainerConfig,
  type ContainerRuntime,
  containerNameFor,
  type CreateAgentSpec,
  type LifecycleOutcome,
  type LogLine,
  type LogOptions,
  MANAGED_BY,
  type RawLogLine,
  MANAGED_BY_LABEL,
  RuntimeError,
  type RuntimeEvent,
  STATE_LABEL,
  STATE_MOUNT,
  type StateVolume,
  volumeNameFor,
} from "./types";

// Engine answers are validated before use: only the fields we read, everything else passes through.
const Labels = z.record(z.string(), z.string()).nullish().transform((value) => value ?? {});

const ContainerListItem = z.object({
  Id: z.string(),
  Names: z.array(z.string()).default([]),
  Image: z.string(),
  ImageID: z.string().default(""),
  Created: z.number(),
  State: z.string(),
  Status: z.string().default(""),
  Labels,
});

const ContainerInspect = z.object({
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

const VolumeItem = z.object({
  Name: z.string(),
  CreatedAt: z.string().nullish(),
  Labels,
  Mountpoint: z.string().nullish(),
});
const VolumeList = z.object({ Volumes: z.array(VolumeItem).nullish().transform((value) => value ?? []) });

const DiskUsage = z.object({
  Volumes: z
    .array(z.object({ Name: z.string(), Labels, UsageData: z.object({ Size: z.number() }).nullish() }))
    .nullish()
    .transform((value) => value ?? []),
});

const EngineEvent = z.object({
  Type: z.string(),
  Action: z.string(),
  Actor: z.object({ ID: z.string(), Attributes: z.record(z.string(), z.string()).default({}) }),
  time: z.number(),
  timeNano: z.number().optional(),
});

/** Variables images commonly set themselves; not part of an agent's own config. */
const IMAGE_ENV = new Set(["PATH", "HOSTNAME", "HOME", "TERM"]);

const CONTAINER_STATES = ["created", "running", "paused", "restarting", "removing", "exited", "dead"] as const;
type ContainerState = (typeof CONTAINER_STATES)[number];
const toState = (value: string): ContainerState =>
  (CONTAINER_STATES as readonly string[]).includes(value) ? (value as ContainerState) : "dead";

/** The state plus the stable part of the status ("Exited (137)"), without its moving "… ago". */
function stateKey(item: { State: string; Status: string }): string {
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
function uptimeFits(item: { Status: string }, inspect: { State: { StartedAt: string } }, now: number): boolean {
  const range = uptimeRange(item.Status);
  if (!range) return true;
  const started = Date.parse(inspect.State.StartedAt);
  if (Number.isNaN(started)) return false;
  const uptime = (now - started) / 1000;
  return uptime >= range[0] - 2 && uptime <= range[1] + 2;
}

const ID_CACHE_MS = 15_000;
/** A log read hands lines on in batches of this many, or after this long. */
const READ_BATCH_LINES = 1_000;
const READ_BATCH_MS = 5;

/** Zero dates ("0001-01-01T00:00:00Z") mean "never" in the engine's answers. */
const engineDate = (value: string): string | null => (!value || value.startsWith("0001-") ? null : value);

type DockerEndpoint = { socketPath: string } | { host: string; port: number; protocol: "http" | "https" };

/** Parses DOCKER_HOST (unix:///path, tcp://host:port, http(s)://host:port) into dockerode options. */
export function parseDockerHost(dockerHost: string): DockerEndpoint {
  if (dockerHost.startsWith("unix://")) return { socketPath: dockerHost.slice("unix://".length) };
  const url = new URL(dockerHost.replace(/^tcp:/, "http:"));
  const protocol = url.protocol === "https:" ? "https" : "http";
  return { host: url.hostname, port: Number(url.port || (protocol === "https" ? 2376 : 2375)), protocol };
}

type EngineFailure = Error & { statusCode?: number; json?: { message?: string } | null; code?: string };

function engineMessage(error: EngineFailure): string {
  const fromJson = error.json && typeof error.json === "object" ? error.json.message : undefined;
  if (fromJson) return fromJson;
  return error.message.replace(/^\(HTTP code \d+\)\s*[a-z ]*-\s*/i, "").trim() || "engine error";
}

/** Turns a dockerode failure into a classified RuntimeError. */
export function classifyEngineError(error: unknown): RuntimeError {
  const failure = error as EngineFailure;
  const status = failure.statusCode;
  if (status === undefined) {
    const code = failure.code ?? "";
    const reason = code ? `${code}: ${failure.message}` : failure.message || "engine unreachable";
    return new RuntimeError("unavailable", reason);
  }
  const message = engineMessage(failure);
  if (status === 404) return new RuntimeError("not_found", message, status);
  if (status === 409) return new RuntimeError("conflict", message, status);
  return new RuntimeError("engine", message, status);
}

/**
 * A GET to the engine over HTTP/1.0, answered with the body as a stream once the status is 200 (else rejected like
 * dockerode, with statusCode and the engine's message). The engine flushes after every log line, so over HTTP/1.1
 * a 5000-line read arrives as 5000 chunks for the client to parse; HTTP/1.0 has no chunking and the socket hands
 * the body over in large reads, which makes a big read a third faster. Unix sockets and plain TCP only.
 */
function rawEngineGet(address: { socketPath: string } | { host: string; port: number }, path: string, signal?: AbortSignal): Promise<Readable> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(Object.assign(new Error("aborted"), { code: "ABORT_ERR" }));
    const socket = "socketPath" in address ? net.connect(address.socketPath) : net.connect(address.port, address.host);
    const body = new PassThrough();
    // A reader that already stopped (a crash watch giving up, a client gone) must not turn a late socket error
    // into an uncaught exception; readers that are still reading see the error through their own listeners.
    body.on("error", () => undefined);
    let head: Buffer | null = Buffer.alloc(0);
    let status = 0;
    const abort = () => {
      socket.destroy();
      body.destroy();
    };
    signal?.addEventListener("abort", abort, { once: true });
    const done = () => signal?.removeEventListener("abort", abort);
    body.once("close", done);
    socket.setTimeout(15 * 60_000, () => socket.destroy(new Error("ETIMEDOUT: the engine stopped answering")));
    socket.on("connect", () => socket.write(`GET ${path} HTTP/1.0\r\nHost: docker\r\nUser-Agent: hive-dashboard\r\n\r\n`));
    socket.on("data", (chunk: Buffer) => {
      if (head === null) {
        if (!body.write(chunk)) {
          socket.pause();
          body.once("drain", () => socket.resume());
        }
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head.subarray(0, end).toString("latin1"))?.[1] ?? 0);
      const rest = head.subarray(end + 4);
      head = null;
      if (status === 200) {
        resolve(body);
        if (rest.length) body.write(rest);
        return;
      }
      // An error answer: its JSON message, read to the end.
      const parts = [rest];
      socket.removeAllListeners("data");
      socket.on("data", (more: Buffer) => parts.push(more));
      socket.once("end", () => {
        const text = Buffer.concat(parts).toString("utf8");
        let json: { message?: string } | null = null;
        try {
          json = JSON.parse(text) as { message?: string };
        } catch {
          // not JSON: the text is the message
        }
        done();
        reject(Object.assign(new Error(`(HTTP code ${status}) - ${json?.message ?? text.trim()}`), { statusCode: status, json }));
      });
    });
    socket.on("end", () => {
      if (head === null && status === 200) body.end();
    });
    socket.on("error", (error) => {
      done();
      if (head !== null) reject(error);
      else body.destroy(error);
    });
    socket.on("close", () => {
      if (head !== null) reject(Object.assign(new Error("the engine closed the connection before answering"), { code: "ECONNRESET" }));
      else if (!body.writableEnded) body.destroy(new Error("the engine closed the log stream early"));
    });
  });
}

/** Whether a log line's bytes start with the engine's stamp ("2026-01-02T03:04:05.123456789Z "). */
function isStamped(raw: Uint8Array): boolean {
  return raw.length >= 20 && raw[4] === 0x2d && raw[7] === 0x2d && raw[10] === 0x54 && raw[13] === 0x3a;
}

const EMPTY = Buffer.alloc(0);

/**
 * Splits the engine's multiplexed log stream (8-byte frame headers; a TTY container's stream is raw stdout) into
 * lines, as bytes: a character cut across chunks stays whole, and a reader that wants JSON can copy the bytes.
 * Keeps a partial tail per stream until its line ends (or `flush`).
 */
export class LogDemuxer {
  private buffer: Buffer = EMPTY;
  private partial: Record<"stdout" | "stderr", Buffer[]> = { stdout: [], stderr: [] };

  constructor(
    private readonly tty: boolean,
    private readonly timestamps: boolean,
  ) {}

  /** Lines completed by this chunk, with their text as UTF-8 bytes. */
  pushRaw(chunk: Buffer): RawLogLine[] {
    const lines: RawLogLine[] = [];
    if (this.tty) {
      this.split("stdout", chunk, lines);
      return lines;
    }
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    let offset = 0;
    while (this.buffer.length - offset >= 8) {
      const size = this.buffer.readUInt32BE(offset + 4);
      if (this.buffer.length - offset < 8 + size) break;
      this.split(this.buffer[offset] === 2 ? "stderr" : "stdout", this.buffer.subarray(offset + 8, offset + 8 + size), lines);
      offset += 8 + size;
    }
    this.buffer = offset === this.buffer.length ? EMPTY : this.buffer.subarray(offset);
    return lines;
  }

  /** The unfinished last line of each stream, when the log ends without a newline. */
  flushRaw(): RawLogLine[] {
    const rest: RawLogLine[] = [];
    for (const stream of ["stdout", "stderr"] as const) {
      const pieces = this.partial[stream];
      if (pieces.length) rest.push(this.toLine(stream, pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces)));
      this.partial[stream] = [];
    }
    return rest;
  }

  push(chunk: Buffer): LogLine[] {
    return this.pushRaw(chunk).map(decodeLine);
  }

  flush(): LogLine[] {
    return this.flushRaw().map(decodeLine);
  }

  private split(stream: "stdout" | "stderr", payload: Buffer, out: RawLogLine[]) {
    let pieces = this.partial[stream];
    let start = 0;
    // A long line comes in several frames, each stamped when stamps are on: a continuation keeps only its text.
    if (pieces.length && this.timestamps && isStamped(payload)) {
      const space = payload.indexOf(0x20);
      start = space < 0 ? payload.length : space + 1;
    }
    for (let newline = payload.indexOf(0x0a, start); newline >= 0; newline = payload.indexOf(0x0a, start)) {
      let line = payload.subarray(start, newline);
      if (pieces.length) {
        line = Buffer.concat([...pieces, line]);
        pieces = [];
      }
      out.push(this.toLine(stream, line.length && line[line.length - 1] === 0x0d ? line.subarray(0, -1) : line));
      start = newline + 1;
    }
    if (start < payload.length) pieces.push(payload.subarray(start));
    this.partial[stream] = pieces;
  }

  private toLine(stream: "stdout" | "stderr", raw: Buffer): RawLogLine {
    if (!this.timestamps || !isStamped(raw)) return { stream, text: raw, timestamp: null };
    const space = raw.indexOf(0x20);
    if (space < 0) return { stream, text: EMPTY, timestamp: raw.toString("latin1") };
    return { stream, text: raw.subarray(space + 1), timestamp: raw.toString("latin1", 0, space) };
  }
}

const decodeLine = (line: RawLogLine): LogLine => ({ stream: line.stream, text: line.text.toString("utf8"), timestamp: line.timestamp });

export type DockerRuntimeOptions = { dockerHost: string; probeTimeoutMs: number };

export class DockerRuntime implements ContainerRuntime {
  readonly kind = "docker";
  readonly endpoint: string;
  /** Short calls (ping, list, inspect) fail fast on a hung engine. */
  private readonly quick: Docker;
  /** Lifecycle calls legitimately wait for a stop timeout or an image to be created. */
  private readonly slow: Docker;
  /** Streams (events, followed logs) stay open for as long as the caller wants. */
  private readonly streaming: Docker;
  private readonly probeTimeoutMs: number;
  private readonly address: DockerEndpoint;
  private readonly ids = new Map<string, { id: string; at: number }>();
  private readonly startedAtCache = new Map<string, { key: string; inspect: z.infer<typeof ContainerInspect> }>();
  /** Whether a container has a TTY never changes, so log reads ask only once per container. */
  private readonly ttyById = new Map<string, boolean>();
  /** Open engine log-follow responses per agent, counted from the engine's answer until the response closes. */
  private readonly logStreams = new Map<string, number>();

  constructor(options: DockerRuntimeOptions) {
    this.endpoint = options.dockerHost;
    const endpoint = parseDockerHost(options.dockerHost);
    this.address = endpoint;
    this.probeTimeoutMs = options.probeTimeoutMs;
    // The socket timeout is a backstop; quick calls race their own deadline to report ETIMEDOUT clearly.
    this.quick = new Docker({ ...endpoint, timeout: options.probeTimeoutMs + 1_000 });
    this.slow = new Docker({ ...endpoint, timeout: 15 * 60_000 });
    // Each stream owns its connection, closed with it: an ended follow never idles on as a pooled socket.
    const ownConnections: Docker.DockerOptions & { agent: http.Agent } = { ...endpoint, agent: new http.Agent({ keepAlive: false }) };
    this.streaming = new Docker(ownConnections);
  }

  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw classifyEngineError(error);
    }
  }

  async ping(): Promise<void> {
    await withDeadline(
      this.call(() => this.quick.ping()),
      this.probeTimeoutMs,
      () => new RuntimeError("unavailable", `ETIMEDOUT: the engine did not answer within ${this.probeTimeoutMs} ms`),
    );
  }

  async listAgents(): Promise<AgentContainer[]> {
    const raw = await this.call(() => this.quick.listContainers({ all: true, filters: { label: [AGENT_LABEL] } }));
    const items = z.array(ContainerListItem).parse(raw);
    const details = await this.inspectChanged(items);
    const live = new Set(items.map((item) => item.Id));
    for (const id of this.startedAtCache.keys()) if (!live.has(id)) this.startedAtCache.delete(id);
    // During a rebuild the old container briefly coexists (renamed); the one with the agent's own name wins.
    const byAgent = new Map<string, z.infer<typeof ContainerListItem>>();
    for (const item of items) {
      const agent = item.Labels[AGENT_LABEL] ?? "";
      const current = byAgent.get(agent);
      if (!current || item.Names.includes(`/${containerNameFor(agent)}`)) byAgent.set(agent, item);
    }
    const now = Date.now();
    for (const [agent, item] of byAgent) this.ids.set(agent, { id: item.Id, at: now });
    return [...byAgent.values()].map((item) => this.toAgentContainer(item, details.get(item.Id)));
  }

  // The list call lacks start times and exit details. Inspect a container only when the list shows it changed:
  // a new state, or an uptime that no longer fits the start time we know (it was restarted meanwhile).
  private async inspectChanged(items: z.infer<typeof ContainerListItem>[]) {
    const result = new Map<string, z.infer<typeof ContainerInspect>>();
    const pending: z.infer<typeof ContainerListItem>[] = [];
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

  private toAgentContainer(
    item: z.infer<typeof ContainerListItem>,
    inspect: z.infer<typeof ContainerInspect> | undefined,
  ): AgentContainer {
    return {
      name: item.Labels[AGENT_LABEL] ?? "",
      containerId: item.Id,
      containerName: (item.Names[0] ?? "").replace(/^\//, ""),
      image: item.Image,
      imageId: item.ImageID,
      state: toState(inspect?.State.Status ?? item.State),
      status: item.Status,
      createdAt: new Date(item.Created * 1000).toISOString(),
      startedAt: inspect ? engineDate(inspect.State.StartedAt) : null,
      finishedAt: inspect ? engineDate(inspect.State.FinishedAt) : null,
      exitCode: inspect && !inspect.State.Running && engineDate(inspect.State.FinishedAt) ? inspect.State.ExitCode : null,
      oomKilled: inspect?.State.OOMKilled ?? false,
      labels: item.Labels,
    };
  }

  /** The container carrying our label for this agent, found by label (never by a name alone). */
  private async resolve(name: string) {
    const raw = await this.call(() =>
      this.quick.listContainers({ all: true, filters: { label: [`${AGENT_LABEL}=${name}`] } }),
    );
    const items = z.array(ContainerListItem).parse(raw);
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
      if (inspect && inspect.Name === `/${containerNameFor(name)}` && inspect.Config.Labels[AGENT_LABEL] === name) {
        this.ids.set(name, { id, at: Date.now() }); // confirmed: good for another while
        return this.fromInspect(inspect);
      }
      this.ids.delete(name);
    }
    return null;
  }

  private fromInspect(inspect: z.infer<typeof ContainerInspect>): AgentContainer {
    const finishedAt = engineDate(inspect.State.FinishedAt);
    const startedAt = engineDate(inspect.State.StartedAt);
    const state = toState(inspect.State.Status);
    return {
      name: inspect.Config.Labels[AGENT_LABEL] ?? "",
      containerId: inspect.Id,
      containerName: inspect.Name.replace(/^\//, ""),
      image: inspect.Config.Image,
      imageId: inspect.Image,
      state,
      status: humanStatus(state, startedAt, finishedAt, inspect.State.ExitCode),
      createdAt: inspect.Created,
      startedAt,
      finishedAt,
      exitCode: !inspect.State.Running && finishedAt ? inspect.State.ExitCode : null,
      oomKilled: inspect.State.OOMKilled,
      labels: inspect.Config.Labels,
    };
  }

  async ensureStateVolume(name: string): Promise<StateVolume> {
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
      return this.toStateVolume(volume);
    }
    await this.call(() =>
      this.quick.createVolume({
        Name: volumeName,
        Labels: { [STATE_LABEL]: name, [MANAGED_BY_LABEL]: MANAGED_BY },
      }),
    );
    const created = await this.call(() => this.quick.getVolume(volumeName).inspect());
    return this.toStateVolume(VolumeItem.parse(created));
  }

  private toStateVolume(volume: z.infer<typeof VolumeItem>): StateVolume {
    return {
      name: volume.Labels[STATE_LABEL] ?? "",
      volumeName: volume.Name,
      createdAt: volume.CreatedAt ?? null,
      labels: volume.Labels,
      mountpoint: volume.Mountpoint ?? null,
    };
  }

  async readAgentConfig(name: string): Promise<AgentContainerConfig | null> {
    const item = await this.resolve(name);
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
    const old = await this.resolveOrThrow(spec.name);
    this.ids.delete(spec.name);
    const oldContainer = this.slow.getContainer(old.Id);
    const wasRunning = old.State === "running" || old.State === "restarting";
    this.forget(spec.name);
    await this.call(() => oldContainer.stop({ t: stopTimeoutSeconds })).catch((error: RuntimeError) => {
      if (error.statusCode !== 304) throw error;
    });
    const parked = `${containerNameFor(spec.name)}-replaced-${Date.now()}`;
    await this.call(() => oldContainer.rename({ name: parked }));
    let created: { containerId: string } | undefined;
    try {
      created = await this.createAgent(spec);
      await this.call(() => this.slow.getContainer(created!.containerId).start());
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

  async createAgent(spec: CreateAgentSpec): Promise<{ containerId: string }> {
    this.ids.delete(spec.name);
    const volume = await this.ensureStateVolume(spec.name);
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
        Labels: { ...spec.labels, [AGENT_LABEL]: spec.name, [MANAGED_BY_LABEL]: MANAGED_BY },
        HostConfig: {
          Mounts: [{ Type: "volume", Source: volume.volumeName, Target: STATE_MOUNT }],
          Memory: spec.memoryMb ? spec.memoryMb * 1024 * 1024 : undefined,
          // The limit is the limit: no swap beyond it, so a runaway agent is stopped rather than slowed to a crawl.
          MemorySwap: spec.memoryMb ? spec.memoryMb * 1024 * 1024 : undefined,
          NanoCpus: spec.cpus ? Math.round(spec.cpus * 1e9) : undefined,
          NetworkMode: spec.network,
          // The dashboard restarts crashed agents itself (with backoff and crash-loop detection).
          RestartPolicy: { Name: "no" },
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
    const raw = await this.call(() => this.quick.listVolumes({ filters: { label: [STATE_LABEL] } }));
    return VolumeList.parse(raw)
      .Volumes.filter((volume) => volume.Labels[MANAGED_BY_LABEL] === MANAGED_BY)
      .map((volume) => this.toStateVolume(volume))
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
  private async openLogStream(name: string, options: LogOptions, follow: boolean, signal?: AbortSignal) {
    for (const fresh of [false, true]) {
      const target = await this.logTarget(name, fresh);
      const client = follow ? this.streaming : this.slow;
      const query = {
        follow,
        stdout: options.stdout,
        stderr: options.stderr,
        tail: options.tail,
        timestamps: options.timestamps,
        ...(options.since === undefined ? {} : { since: options.since }),
      };
      try {
        if (!follow && !("protocol" in this.address && this.address.protocol === "https")) {
          return { stream: await rawEngineGet(this.address, `/containers/${target.id}/logs?${querystring.stringify(query)}`, signal), tty: target.tty };
        }
        const stream = await new Promise<Readable>((resolve, reject) => {
          client.modem.dial(
            {
              path: `/containers/${target.id}/logs?`,
              method: "GET",
              isStream: true,
              abortSignal: signal,
              statusCodes: { 200: true, 404: "no such container", 500: "server error" },
              options: query,
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
    for await (const batch of await this.readLogs(name, options)) for (const line of batch) lines.push(decodeLine(line));
    return lines;
  }

  async readLogs(name: string, options: LogOptions, signal?: AbortSignal): Promise<AsyncIterable<RawLogLine[]>> {
    const { stream, tty } = await this.openLogStream(name, options, false, signal);
    const demuxer = new LogDemuxer(tty, options.timestamps);
    // Lines are gathered as they arrive and handed on in batches (a size, or a few milliseconds), not one promise
    // per socket read.
    let queue: RawLogLine[] = [];
    let finished = false;
    let failure: unknown = null;
    let timer: NodeJS.Timeout | undefined;
    let notify: (() => void) | null = null;
    const wake = () => {
      clearTimeout(timer);
      timer = undefined;
      const resume = notify;
      notify = null;
      resume?.();
    };
    // The engine flushes after every frame, so the response arrives in thousands of tiny chunks: they are taken
    // off the stream in bulk (`read()` joins what is buffered) rather than one 'data' event each.
    stream.on("readable", () => {
      for (let chunk = stream.read() as Buffer | null; chunk !== null; chunk = stream.read() as Buffer | null) {
        for (const line of demuxer.pushRaw(chunk)) queue.push(line);
      }
      if (queue.length >= READ_BATCH_LINES) wake();
      else if (queue.length && !timer) timer = setTimeout(wake, READ_BATCH_MS);
    });
    stream.on("end", () => {
      for (const line of demuxer.flushRaw()) queue.push(line);
      finished = true;
      wake();
    });
    // Failures surface through the iteration (also one emitted after it ended: never an uncaught exception).
    stream.on("error", (error) => {
      failure ??= error;
      finished = true;
      wake();
    });
    stream.on("close", () => {
      if (!stream.readableEnded) failure ??= new Error("the engine closed the log stream early");
      finished = true;
      wake();
    });
    return (async function* () {
      try {
        for (;;) {
          if (queue.length === 0 && !finished) await new Promise<void>((resolve) => (notify = resolve));
          if (queue.length) {
            const batch = queue;
            queue = [];
            yield batch;
          } else if (failure) throw classifyEngineError(failure);
          else if (finished) return;
        }
      } finally {
        clearTimeout(timer);
        stream.destroy();
      }
    })();
  }

  async *followLogs(name: string, options: LogOptions, signal: AbortSignal): AsyncIterable<LogLine> {
    if (signal.aborted) return;
    let opened: { stream: Readable; tty: boolean };
    try {
      opened = await this.openLogStream(name, options, true, signal);
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
    const demuxer = new LogDemuxer(tty, options.timestamps);
    yield* this.readStream(stream, signal, (chunk) => demuxer.push(chunk), () => demuxer.flush());
  }

  private countLogStream(name: string, delta: number) {
    const count = (this.logStreams.get(name) ?? 0) + delta;
    if (count > 0) this.logStreams.set(name, count);
    else this.logStreams.delete(name);
  }

  openLogStreams(): Record<string, number> {
    return Object.fromEntries(this.logStreams);
  }

  async *events(signal: AbortSignal, sinceSeconds?: number): AsyncIterable<RuntimeEvent> {
    const stream = (await this.call(() =>
      this.streaming.getEvents({
        since: sinceSeconds,
        filters: { type: ["container"], label: [AGENT_LABEL] },
        abortSignal: signal,
      } as Docker.GetEventsOptions),
    )) as unknown as Readable;
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
        if (!parsed.success) continue;
        const agent = parsed.data.Actor.Attributes[AGENT_LABEL];
        if (!agent) continue;
        const exit = parsed.data.Actor.Attributes.exitCode;
        const timeNano = BigInt(parsed.data.timeNano ?? parsed.data.time * 1e9);
        events.push({
          action: parsed.data.Action.split(":")[0] ?? parsed.data.Action,
          agent,
          containerId: parsed.data.Actor.ID,
          timeNano,
          time: new Date(Number(timeNano / 1_000_000n)).toISOString(),
          exitCode: exit !== undefined && /^\d+$/.test(exit) ? Number(exit) : null,
        });
      }
      return events;
    };
    for await (const event of this.readStream(stream, signal, parse, () => [])) {
      if (event.action === "die" || event.action === "start" || event.action === "destroy") this.forget(event.agent);
      yield event;
    }
  }

  private async *readStream<T>(
    stream: Readable,
    signal: AbortSignal,
    onChunk: (chunk: Buffer) => T[],
    onEnd: () => T[],
  ): AsyncIterable<T> {
    const abort = () => stream.destroy();
    signal.addEventListener("abort", abort, { once: true });
    try {
      for await (const chunk of stream) {
        for (const item of onChunk(chunk as Buffer)) yield item;
      }
      for (const item of onEnd()) yield item;
    } catch (error) {
      if (signal.aborted) return;
      throw classifyEngineError(error);
    } finally {
      signal.removeEventListener("abort", abort);
      stream.destroy();
      if (!stream.closed) await once(stream, "close").catch(() => undefined);
    }
  }
}
