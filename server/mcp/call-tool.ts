import "server-only";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { CallContext } from "../context";
import type { AgentActor } from "../contracts/actors";
import { HiveError } from "../errors";
import { toHiveError } from "../failures";
import { recordAudit } from "../http/audit";
import { validateInput } from "../http/validate";
import type { AgentTool, ToolCall } from "./tool";

/** Where a tool error's code and details travel beside its text, for clients that read more than the text. */
export const ERROR_META_KEY = "hive/error";

/** A tool error: the model reads "code: message"; `_meta` holds what the REST route's error body would. */
export function toolError(error: HiveError): CallToolResult {
  return {
    isError: true,
    content: [{ type: "text", text: `${error.code}: ${error.message}` }],
    _meta: { [ERROR_META_KEY]: { code: error.code, message: error.message, ...error.details } },
  };
}

/**
 * Runs one tool call the way a route runs a request: the arguments are checked before anything happens (so bad
 * input changes nothing), one service is called, failures become our error codes, and a tool that changes something
 * leaves the audit row its REST route would (the actor is the agent; `detail.via` says it came through MCP).
 */
export async function callAgentTool(
  ctx: CallContext<AgentActor>,
  tool: AgentTool,
  args: unknown,
  progress: ToolCall<unknown>["progress"],
): Promise<CallToolResult> {
  const started = performance.now();
  let input: unknown;
  let output: Record<string, unknown> | undefined;
  let failure: HiveError | undefined;
  const checked = (answer: unknown) => {
    const parsed = tool.output.safeParse(answer);
    if (!parsed.success) throw new Error(`${tool.name} answered outside its output schema: ${parsed.error.message}`);
    return parsed.data;
  };
  try {
    input = validateInput(tool.input, args ?? {}, `arguments of ${tool.name}`);
    output = checked(await tool.run({ ctx, input, progress }));
  } catch (error) {
    failure = toHiveError(error, { engine: ctx.engine, logger: ctx.logger });
  }
  await auditToolCall(ctx, tool, input, output, failure);
  if (!failure && output && tool.thenWait) {
    try {
      output = checked(await tool.thenWait({ ctx, input, output, progress }));
    } catch (error) {
      failure = toHiveError(error, { engine: ctx.engine, logger: ctx.logger });
    }
  }
  const durationMs = Math.round((performance.now() - started) * 10) / 10;
  ctx.logger.info({ tool: tool.name, durationMs, ...(failure ? { code: failure.code } : {}) }, "tool call");
  if (failure || !output) return toolError(failure ?? new HiveError("internal_error", "the tool gave no answer"));
  return {
    content: [
      { type: "text", text: tool.summary(output) },
      { type: "text", text: JSON.stringify(output) },
    ],
    structuredContent: output,
  };
}

/** The REST route's audit row for a tool that changes something (the actor is the agent; `detail.via` says MCP). */
async function auditToolCall(
  ctx: CallContext<AgentActor>,
  tool: AgentTool,
  input: unknown,
  output: Record<string, unknown> | undefined,
  failure: HiveError | undefined,
) {
  if (tool.audit) {
    // This process's next state read sees the change at once, not only after its NOTIFY arrives.
    ctx.caches.state.invalidate();
    await recordAudit(ctx, ctx.logger, {
      actor: ctx.actor,
      action: tool.audit.action,
      target: input === undefined ? undefined : tool.audit.target(input, ctx.actor),
      status: failure?.status ?? 200,
      errorCode: failure?.code,
      traceId: ctx.traceId ?? "",
      detail: { via: "mcp", tool: tool.name, ...(output && tool.audit.detail ? tool.audit.detail(output) : {}) },
    });
  }
}
