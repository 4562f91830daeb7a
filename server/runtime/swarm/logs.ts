import "server-only";
import querystring from "node:querystring";
import type { Readable } from "node:stream";
import { decodeLine, LogDemuxer } from "../docker/demultiplexer";
import { CursorBuilder, type DockerCursor, engineSince, resumeFilter, timestampNanos } from "../docker/log-cursor";
import { readEngineStream, readLogBatches } from "../docker/log-stream";
import { rawEngineGet } from "../docker/raw-log-reader";
import { type FollowBatch, type FollowOptions, type LogLine, type LogOptions, type LogRead, type RawLogLine, RuntimeError } from "../types";
import type { SwarmAccess } from "./access";
import { currentTask, isTaskOver } from "./agent-state";
import { engineRequest } from "./engine-client";
import type { Task } from "./engine-schemas";

/** How often a follow asks whether its run has ended (task logs do not end with the task). */
const RUN_END_CHECK_MS = 1_000;
/** With no stamped line to go by, a read's cursor starts this long before the read: nothing was there then. */
const EMPTY_READ_LOOKBACK_MS = 5_000;
/** The run of an agent that never ran, in a cursor. */
const NO_RUN = "-";

/**
 * A Swarm log cursor: the Docker cursor (a stamp and how many lines from it the reader holds) within one run, the
 * task whose log it is. Written "s1.<task>.<after>.<count>".
 */
type SwarmCursor = DockerCursor & { task: string };
const CURSOR = /^s1\.([a-z0-9]{1,64}|-)\.(\d{1,20})\.(\d{1,6})$/;
const encodeCursor = ({ task, afterNanos, count }: SwarmCursor) => `s1.${task}.${afterNanos}.${count}`;
function decodeCursor(text: string): SwarmCursor | null {
  const match = CURSOR.exec(text);
  return match ? { task: match[1]!, afterNanos: BigInt(match[2]!), count: Number(match[3]) } : null;
}

type TaskLogQuery = { follow: boolean; stdout: boolean; stderr: boolean; tail: number | "all"; timestamps: boolean; since?: string };

/**
 * Agents' logs through the manager (each run is a task; its log is read wherever the task ran). A read or follow is of
 * the agent's current run; a cursor from an earlier run first gives what that run wrote after it.
 */
export class SwarmLogs {
  private readonly open = new Map<string, number>();

  constructor(private readonly access: SwarmAccess) {}

  openStreams(): Record<string, number> {
    return Object.fromEntries(this.open);
  }

  private async runOf(name: string): Promise<Task | null> {
    const service = await this.access.requireService(name);
    return currentTask(await this.access.tasksOf([service.ID]));
  }

  private async request(taskId: string, query: TaskLogQuery, signal?: AbortSignal): Promise<Readable> {
    const { since, ...rest } = query;
    const options = since === undefined ? rest : { ...rest, since };
    const address = this.access.manager.address;
    // Reads take the fast raw path (see rawEngineGet); a follow has a connection of its own, closed with it.
    if (!query.follow && !("protocol" in address && address.protocol === "https")) {
      return rawEngineGet(address, `/tasks/${taskId}/logs?${querystring.stringify(options)}`, signal);
    }
    const client = query.follow ? this.access.manager.streaming : this.access.manager.slow;
    return engineRequest<Readable>(client, "GET", `/tasks/${taskId}/logs`, { query: options, stream: true, signal });
  }

  /** The lines of one run's log, in batches; the broker's own complaints (a node it cannot read) fail the read. */
  private async readTask(taskId: string, options: LogOptions, signal?: AbortSignal, sinceNanos?: bigint): Promise<AsyncIterable<RawLogLine[]>> {
    const since = sinceNanos ?? (options.since === undefined ? undefined : timestampNanos(options.since));
    if (since === null) throw new RuntimeError("invalid", `not an RFC 3339 time: ${options.since}`);
    const query: TaskLogQuery = { follow: false, stdout: options.stdout, stderr: options.stderr, tail: options.tail, timestamps: options.timestamps };
    if (since !== undefined) query.since = engineSince(since);
    const demuxer = new LogDemuxer(false, options.timestamps);
    const batches = readLogBatches(await this.request(taskId, query, signal), demuxer);
    return (async function* () {
      yield* batches;
      if (demuxer.engineErrors.length) throw new RuntimeError("unavailable", demuxer.engineErrors[0]!);
    })();
  }

  private async readRaw(name: string, options: LogOptions, signal?: AbortSignal) {
    const run = await this.runOf(name);
    return { run, batches: run ? await this.readTask(run.ID, options, signal) : emptyBatches() };
  }

  async logs(name: string, options: LogOptions): Promise<LogLine[]> {
    const lines: LogLine[] = [];
    for await (const batch of (await this.readRaw(name, options)).batches) {
      for (const line of batch) lines.push(options.timestamps ? decodeLine(line) : { ...decodeLine(line), timestamp: null });
    }
    return lines;
  }

  async readLogs(name: string, options: Omit<LogOptions, "timestamps">, signal?: AbortSignal): Promise<LogRead> {
    const startedAt = Date.now();
    const { run, batches } = await this.readRaw(name, { ...options, timestamps: true }, signal);
    const builder = new CursorBuilder();
    return {
      batches: (async function* () {
        for await (const batch of batches) {
          for (const line of batch) builder.add(line.timestamp);
          yield batch;
        }
      })(),
      cursor: () =>
        encodeCursor({ task: run?.ID ?? NO_RUN, ...(builder.cursor() ?? { afterNanos: BigInt(startedAt - EMPTY_READ_LOOKBACK_MS) * 1_000_000n, count: 0 }) }),
    };
  }

  followLogs(name: string, options: FollowOptions, signal: AbortSignal): AsyncIterable<FollowBatch> {
    const from = options.from === undefined ? null : decodeCursor(options.from);
    if (from === null && options.from !== undefined) throw new RuntimeError("invalid", "not a log cursor of this engine");
    return this.follow(name, options, from, signal);
  }

  private async *follow(name: string, options: FollowOptions, from: SwarmCursor | null, signal: AbortSignal): AsyncIterable<FollowBatch> {
    if (signal.aborted) return;
    const run = await this.runOf(name);
    if (!run) return;
    let cursor = from;
    // The reader's run ended since: what it wrote after the cursor comes first, then the current run from its start.
    if (cursor && cursor.task !== run.ID) {
      if (cursor.task !== NO_RUN && (await this.access.task(cursor.task))) {
        yield* this.rest(cursor, options, signal);
      }
      cursor = { task: run.ID, afterNanos: 0n, count: 0 };
    }
    if (isTaskOver(run)) {
      if (cursor) yield* this.rest(cursor, options, signal);
      return;
    }
    const ended = new AbortController();
    const stop = () => ended.abort();
    signal.addEventListener("abort", stop, { once: true });
    const query: TaskLogQuery = { follow: true, stdout: options.stdout, stderr: options.stderr, tail: cursor ? "all" : 0, timestamps: true };
    if (cursor && cursor.afterNanos > 0n) query.since = engineSince(cursor.afterNanos);
    let stream: Readable;
    try {
      stream = await this.request(run.ID, query, ended.signal);
    } catch (error) {
      signal.removeEventListener("abort", stop);
      if (signal.aborted) return;
      throw error;
    }
    stream.on("error", () => undefined);
    this.count(name, 1);
    stream.once("close", () => this.count(name, -1));
    if (ended.signal.aborted) stream.destroy();
    // Task logs go on after the task: the run's end is watched, and what it wrote last is read once more after it.
    const watch = setInterval(() => {
      void this.access.task(run.ID).then(
        (task) => (!task || isTaskOver(task)) && ended.abort(),
        () => undefined,
      );
    }, RUN_END_CHECK_MS);
    const demuxer = new LogDemuxer(false, true);
    const builder = new CursorBuilder();
    const keep = resumeFilter(cursor?.count ?? 0);
    let last: SwarmCursor | null = cursor;
    const take = (lines: LogLine[]): FollowBatch[] => {
      const fresh: LogLine[] = [];
      for (const line of lines) {
        builder.add(line.timestamp);
        if (keep()) fresh.push(line);
      }
      const made = builder.cursor();
      if (made) last = { task: run.ID, ...made };
      return fresh.length && last ? [{ lines: fresh, cursor: encodeCursor(last) }] : [];
    };
    try {
      yield* readEngineStream(stream, ended.signal, (chunk) => take(demuxer.push(chunk)), () => take(demuxer.flush()));
      if (demuxer.engineErrors.length) throw new RuntimeError("unavailable", demuxer.engineErrors[0]!);
    } finally {
      clearInterval(watch);
      signal.removeEventListener("abort", stop);
    }
    // A reader that came without a cursor and was given nothing has no place to read on from: it asked for new lines only.
    if (signal.aborted || !last) return;
    yield* this.rest(last, options, signal);
  }

  /** What a run wrote after the cursor, read to its end (a run that is over, or the tail of one that just ended). */
  private async *rest(cursor: SwarmCursor, options: FollowOptions, signal: AbortSignal): AsyncIterable<FollowBatch> {
    const read = { tail: "all" as const, timestamps: true, stdout: options.stdout, stderr: options.stderr };
    const batches = await this.readTask(cursor.task, read, signal, cursor.afterNanos > 0n ? cursor.afterNanos : undefined);
    // As a follow from the cursor: every line from its stamp counts for the next cursor, the ones the reader holds too.
    const builder = new CursorBuilder();
    const keep = resumeFilter(cursor.count);
    for await (const batch of batches) {
      const fresh: LogLine[] = [];
      for (const raw of batch) {
        const line = decodeLine(raw);
        builder.add(line.timestamp);
        if (keep()) fresh.push(line);
      }
      if (fresh.length) yield { lines: fresh, cursor: encodeCursor({ task: cursor.task, ...(builder.cursor() ?? cursor) }) };
    }
  }

  private count(name: string, delta: number) {
    const count = (this.open.get(name) ?? 0) + delta;
    if (count > 0) this.open.set(name, count);
    else this.open.delete(name);
  }
}

async function* emptyBatches(): AsyncIterable<RawLogLine[]> {}
