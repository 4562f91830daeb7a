import "server-only";
import type { z } from "zod";
import type { CallContext } from "../context";
import type { AgentActor } from "../contracts/actors";

export type ToolCall<I> = {
  ctx: CallContext<AgentActor>;
  input: I;
  /** Tells the client the call is still working, `done` of `total` (only when it asked for progress; else a no-op). */
  progress: (done: number, total: number, message: string) => Promise<void>;
};

/**
 * One tool of the agents' MCP surface: a thin handler like a route's (parse, call one service, answer), with the
 * words an LLM reads to use it. `audit` names the audit action of a tool that changes something (the REST route's).
 */
export type AgentTool<I = unknown, O extends Record<string, unknown> = Record<string, unknown>> = {
  name: string;
  title: string;
  description: string;
  input: z.ZodType<I, unknown>;
  output: z.ZodType<O, unknown>;
  annotations: { readOnlyHint: boolean; destructiveHint?: boolean; idempotentHint?: boolean; openWorldHint: false };
  audit?: { action: string; target: (input: I, actor: AgentActor) => string; detail?: (output: O) => Record<string, unknown> };
  run: (call: ToolCall<I>) => Promise<O>;
  /**
   * A tool that waits after its change (ask_operator) waits here, once the change's audit row is written: the row
   * says when the change happened, and its write is not on the path of the answer the agent waits for.
   */
  thenWait?: (call: ToolCall<I> & { output: O }) => Promise<O>;
  /** The answer in a sentence for the model to read (the structured answer follows it as JSON). */
  summary: (output: O) => string;
};

/** Keeps each tool's input and output types together while the catalog holds them side by side. */
export const defineTool = <I, O extends Record<string, unknown>>(tool: AgentTool<I, O>) => tool as unknown as AgentTool;
