import "server-only";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  JSONRPCMessageSchema,
  ListToolsRequestSchema,
  McpError,
  SUPPORTED_PROTOCOL_VERSIONS,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { CallContext } from "../context";
import type { AgentActor } from "../contracts/actors";
import { HiveError } from "../errors";
import { validateInput } from "../http/validate";
import { VERSION } from "../version";
import { callAgentTool } from "./call-tool";
import { AGENT_INSTRUCTIONS, AGENT_TOOLS } from "./catalog";
import type { ToolCall } from "./tool";

const TOOLS = new Map(AGENT_TOOLS.map((tool) => [tool.name, tool]));

// Draft 7, as the SDK's own servers describe their tools: what MCP clients validate against most widely.
let listing: Tool[] | undefined;
const toolListing = () =>
  (listing ??= AGENT_TOOLS.map((tool) => ({
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: z.toJSONSchema(tool.input, { io: "input", target: "draft-7" }) as Tool["inputSchema"],
    outputSchema: z.toJSONSchema(tool.output, { io: "output", target: "draft-7" }) as Tool["outputSchema"],
    annotations: { title: tool.title, ...tool.annotations },
  })));

/** The call's context, whose signal also ends when the MCP server lets go of the call (its response stream was cancelled). */
function withToolSignal(ctx: CallContext<AgentActor>, released: AbortSignal): CallContext<AgentActor> {
  const descriptors = Object.getOwnPropertyDescriptors(ctx) as PropertyDescriptorMap;
  delete descriptors.signal;
  let combined: AbortSignal | undefined;
  // Lazy, as the route's own: only a call that waits starts watching its credential.
  const signal = { enumerable: true, get: () => (combined ??= AbortSignal.any([ctx.signal, released])) };
  return Object.defineProperties({}, { ...descriptors, signal }) as CallContext<AgentActor>;
}

function agentServer(ctx: CallContext<AgentActor>): Server {
  const server = new Server(
    { name: "hive-dashboard", title: "Hive dashboard", version: VERSION },
    { capabilities: { tools: { listChanged: false } }, instructions: AGENT_INSTRUCTIONS },
  );
  server.onerror = (error) => ctx.logger.debug({ err: error.message }, "mcp transport");
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: toolListing() }));
  server.setRequestHandler(CallToolRequestSchema, async (call, extra) => {
    const tool = TOOLS.get(call.params.name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `no tool named ${call.params.name}; tools/list names them`);
    const token = call.params._meta?.progressToken;
    const progress: ToolCall<unknown>["progress"] =
      token === undefined
        ? async () => {}
        : async (done, total, message) => {
            await extra
              .sendNotification({ method: "notifications/progress", params: { progressToken: token, progress: done, total, message } })
              .catch(() => undefined); // a client that left misses its progress, nothing else
          };
    return callAgentTool(withToolSignal(ctx, extra.signal), tool, call.params.arguments, progress);
  });
  return server;
}

/** What the client takes, and so how the answer travels: JSON unless progress must stream first (or only SSE is taken). */
function answerForm(request: Request, message: unknown): "json" | "stream" {
  const accept = (request.headers.get("accept") ?? "").toLowerCase();
  const takesJson = accept === "" || /application\/json|application\/\*|\*\/\*/.test(accept);
  const takesStream = accept.includes("text/event-stream");
  if (!takesJson && !takesStream) throw new HiveError("not_acceptable", "accept application/json or text/event-stream (MCP clients send both)");
  const wantsProgress = (message as { params?: { _meta?: { progressToken?: unknown } } }).params?._meta?.progressToken !== undefined;
  return takesStream && (wantsProgress || !takesJson) ? "stream" : "json";
}

/** The body of a stream, closing `done` once it ends or its reader goes away. */
function endingWith(body: ReadableStream<Uint8Array>, done: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (next.done) {
        controller.close();
        done();
      } else controller.enqueue(next.value);
    },
    cancel(reason) {
      done();
      return reader.cancel(reason);
    },
  });
}

/**
 * One POST of the agents' MCP endpoint (Streamable HTTP, stateless: a server per request, nothing kept between
 * them). The caller is an authenticated agent; the message is checked here so every refusal is our error shape.
 */
export async function serveAgentMcp(ctx: CallContext<AgentActor>, request: Request, message: unknown): Promise<Response> {
  if (Array.isArray(message)) throw new HiveError("invalid_request", "send one JSON-RPC message per request (batches are not supported)");
  validateInput(JSONRPCMessageSchema, message, "MCP message");
  const version = request.headers.get("mcp-protocol-version");
  if (version !== null && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
    throw new HiveError("invalid_request", `unsupported MCP-Protocol-Version ${version} (supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(", ")})`);
  }
  const form = answerForm(request, message);
  // A streamed answer outlives the route's handler: its credential watch must exist before the stream is handed
  // out, so the route ties the watch's release to the stream's end (the tool reaches the signal only later).
  if (form === "stream") void ctx.signal;
  const server = agentServer(ctx);
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: form === "json" });
  await server.connect(transport);
  const close = () => void server.close().catch(() => undefined);
  // The transport reads the message we already checked; the answer's form is ours to choose, so Accept says both.
  const headers = new Headers(request.headers);
  headers.set("accept", "application/json, text/event-stream");
  let response: Response;
  try {
    response = await transport.handleRequest(new Request(request.url, { method: "POST", headers }), { parsedBody: message });
  } catch (error) {
    close();
    throw error;
  }
  if (form === "json" || !response.body) {
    close();
    return response;
  }
  return new Response(endingWith(response.body, close), { status: response.status, headers: response.headers });
}
