import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult, Progress } from "@modelcontextprotocol/sdk/types.js";
import type { ServerProcess } from "./server";

export const MCP_PATH = "/api/agent/mcp";

/** The SDK's own client, connected (initialize + initialized) to the dashboard's MCP endpoint with a bearer token. */
export async function connectMcp(server: ServerProcess | { baseUrl: string }, token: string | null) {
  const client = new Client({ name: "hive-test-agent", version: "1.0.0" });
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  await client.connect(new StreamableHTTPClientTransport(new URL(`${server.baseUrl}${MCP_PATH}`), { requestInit: { headers } }));
  return client;
}

export type ToolAnswer = { result: CallToolResult; text: string; structured: Record<string, unknown>; progress: Progress[] };

/** Calls a tool (asking for progress when `withProgress`), keeping the answer's text, structured content and any progress. */
export async function callTool(client: Client, name: string, args: Record<string, unknown> = {}, options: { withProgress?: boolean; timeoutMs?: number } = {}): Promise<ToolAnswer> {
  const progress: Progress[] = [];
  const result = (await client.callTool({ name, arguments: args }, undefined, {
    timeout: options.timeoutMs ?? 70_000,
    ...(options.withProgress ? { onprogress: (update: Progress) => progress.push(update) } : {}),
  })) as CallToolResult;
  const text = result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");
  return { result, text, structured: (result.structuredContent ?? {}) as Record<string, unknown>, progress };
}

/** A tool error's code, as the dashboard puts it in `_meta` (and first in the text). */
export const errorCodeOf = (answer: ToolAnswer) => (answer.result._meta?.["hive/error"] as { code?: string } | undefined)?.code;
