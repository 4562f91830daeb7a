import "server-only";
import type { ServiceCall } from "../../context";
import { ReadAgentLogsInput } from "../../contracts/journal";
import { HiveError } from "../../errors";
import type { LogRead as EngineLogRead } from "../../runtime/types";
import { requireRuntime } from "../shared/require-runtime";
import type { LogRead } from "./internal/log-read";

/**
 * The last lines of an agent's log, as the engine sends them (so a 5000-line read costs little more than the engine's
 * own). `lines` counts the log's last lines as the engine does, over both streams; `source` then selects: `agent`
 * keeps the stdout lines among them. The agent is resolved before any line: a missing agent or a down engine is a
 * plain error. The read's cursor (where a follow goes on from) is known once its lines have been read.
 */
export async function readAgentLogs({ ctx, input }: ServiceCall<ReadAgentLogsInput>): Promise<LogRead> {
  const { name, lines: requested, source, timestamps } = ReadAgentLogsInput.parse(input);
  const runtime = requireRuntime(ctx);
  const engine = new AbortController();
  const stop = () => engine.abort();
  ctx.signal.addEventListener("abort", stop, { once: true });
  let read: EngineLogRead;
  try {
    read = await runtime.readLogs(name, { tail: requested, stdout: true, stderr: source === "all" }, engine.signal);
  } catch (error) {
    ctx.signal.removeEventListener("abort", stop);
    // A client that left before the engine answered is not an engine failure.
    if (ctx.signal.aborted) throw new HiveError("invalid_request", "the client went away before the log was read");
    throw error;
  }
  return {
    agent: name,
    source,
    requested,
    timestamps,
    lines: (async function* () {
      try {
        yield* read.batches;
      } finally {
        ctx.signal.removeEventListener("abort", stop);
        engine.abort();
      }
    })(),
    cursor: () => read.cursor(),
  };
}
