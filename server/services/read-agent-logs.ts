import "server-only";
import type { HiveApp } from "../app";
import { type AgentLogsView, ReadAgentLogsInput } from "../contracts/journal";
import type { LogLine } from "../runtime/types";
import { cursorAfter } from "../views/journal";
import { requireRuntime } from "./require-runtime";

/** How far back a read for stdout lines may look when stderr lines crowd the engine's tail. */
const MAX_SCAN_LINES = 50_000;

/**
 * The last lines of an agent's container log, read from the engine. The engine's tail counts both streams before
 * it selects one, so for `agent` (stdout) the read widens until it holds the lines asked for or the log's start.
 */
export async function readAgentLogs({ app, input }: { app: HiveApp; input: ReadAgentLogsInput }): Promise<AgentLogsView> {
  const { name, lines: wanted, source, timestamps } = ReadAgentLogsInput.parse(input);
  const runtime = requireRuntime(app);
  const startedAt = Date.now();
  let tail = wanted;
  let picked: LogLine[];
  for (;;) {
    // Stamps are always read: they make the cursor the follow stream continues from.
    const read = await runtime.logs(name, { tail, timestamps: true, stdout: true, stderr: true });
    picked = source === "all" ? read : read.filter((line) => line.stream === "stdout");
    if (picked.length >= wanted || read.length < tail || tail >= MAX_SCAN_LINES) break;
    const perPicked = tail / Math.max(1, picked.length);
    tail = Math.min(MAX_SCAN_LINES, Math.max(tail * 2, Math.ceil(wanted * perPicked * 1.1)));
  }
  if (picked.length > wanted) picked = picked.slice(-wanted);
  const cursor = cursorAfter(picked, startedAt);
  return {
    agent: name,
    source,
    requested: wanted,
    lines: timestamps ? picked : picked.map((line) => ({ stream: line.stream, text: line.text, timestamp: null })),
    cursor,
  };
}
