import "server-only";
import type { LogRead } from "../services/journal/internal/log-read";
import { JsonBytes } from "./json-bytes";

/** Bytes of JSON gathered before a write. */
const FLUSH_BYTES = 64 * 1024;
/** Engine stamps are digits and punctuation: written as they are. */
const STAMP = /^[0-9T:.Z+-]+$/;

/** The JSON every line repeats, as bytes made once: each line's object up to its text, and after it. */
const ascii = (text: string) => Buffer.from(text, "latin1");
const OPEN = {
  first: { stdout: ascii('{"stream":"stdout","text":'), stderr: ascii('{"stream":"stderr","text":') },
  next: { stdout: ascii(',{"stream":"stdout","text":'), stderr: ascii(',{"stream":"stderr","text":') },
};
const NO_STAMP = ascii(',"timestamp":null}');
const STAMP_OPEN = ascii(',"timestamp":"');
const STAMP_CLOSE = ascii('"}');

/**
 * A log read as its JSON answer, written as the engine sends the lines (each line's text copied as bytes, never
 * decoded): { agent, source, requested, lines: [{ stream, text, timestamp }], cursor }.
 */
export async function* logReadJson(read: LogRead): AsyncIterable<Uint8Array> {
  const json = new JsonBytes();
  json.text(`{"agent":${JSON.stringify(read.agent)},"source":"${read.source}","requested":${read.requested},"lines":[`);
  let first = true;
  for await (const batch of read.lines) {
    for (const line of batch) {
      json.bytes((first ? OPEN.first : OPEN.next)[line.stream]);
      json.string(line.text);
      if (!read.timestamps || !line.timestamp) json.bytes(NO_STAMP);
      else if (STAMP.test(line.timestamp)) {
        json.bytes(STAMP_OPEN);
        json.ascii(line.timestamp);
        json.bytes(STAMP_CLOSE);
      } else json.text(`,"timestamp":${JSON.stringify(line.timestamp)}}`);
      first = false;
    }
    // The engine's batches are small: the answer goes out in larger writes.
    if (json.size >= FLUSH_BYTES) yield json.take();
  }
  json.ascii(`],"cursor":${JSON.stringify(read.cursor())}}`);
  yield json.take();
}
