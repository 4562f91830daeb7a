import { Writable } from "node:stream";
import pino from "pino";

/** A real pino logger whose JSON lines are kept in memory for assertions. */
export function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split("\n")) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: "debug" }, sink), lines };
}
