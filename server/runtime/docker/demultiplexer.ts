import "server-only";
import type { LogLine, RawLogLine } from "../types";

/** Whether a log line's bytes start with the engine's stamp ("2026-01-02T03:04:05.123456789Z "). */
export function isStamped(raw: Uint8Array): boolean {
  return raw.length >= 20 && raw[4] === 0x2d && raw[7] === 0x2d && raw[10] === 0x54 && raw[13] === 0x3a;
}

const EMPTY = Buffer.alloc(0);

/**
 * Splits the engine's multiplexed log stream (8-byte frame headers; a TTY container's stream is raw stdout) into
 * lines, as bytes: a character cut across chunks stays whole, and a reader that wants JSON can copy the bytes.
 * Keeps a partial tail per stream until its line ends (or `flush`).
 */
export class LogDemuxer {
  /**
   * Messages the engine itself put in the stream (frames of type 3, "systemerr"): a cluster's log broker says so when
   * a node's logs could not be read. Never an agent's output.
   */
  readonly engineErrors: string[] = [];
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
      const payload = this.buffer.subarray(offset + 8, offset + 8 + size);
      if (this.buffer[offset] === 3) this.engineErrors.push(payload.toString("utf8").trim());
      else this.split(this.buffer[offset] === 2 ? "stderr" : "stdout", payload, lines);
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

export const decodeLine = (line: RawLogLine): LogLine => ({ stream: line.stream, text: line.text.toString("utf8"), timestamp: line.timestamp });

