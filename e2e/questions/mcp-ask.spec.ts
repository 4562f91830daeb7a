import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult, Progress } from "@modelcontextprotocol/sdk/types.js";
import { expect, loginAsOperator, test } from "../fixtures";

test("[QUESTIONS] an agent's ask_operator over MCP waits, telling it so every ~10 s, while an operator answers it in the page", async ({
  page,
  api,
  prefix,
  baseURL,
}) => {
  test.setTimeout(90_000);
  const agent = `${prefix}-mcp`;
  const { token } = await (await api.post("/api/agent-tokens", { data: { agent } })).json();
  const client = new Client({ name: "e2e-agent", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${baseURL}/api/agent/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
  );
  try {
    const progress: Progress[] = [];
    const question = `Which database should I migrate first (${prefix})?`;
    const asking = client.callTool(
      { name: "ask_operator", arguments: { question, options: ["billing", "search", "audit"] } },
      undefined,
      { timeout: 70_000, onprogress: (update) => progress.push(update) },
    ) as Promise<CallToolResult>;
    let settled = false;
    void asking.finally(() => (settled = true));

    await loginAsOperator(page);
    const card = page.getByRole("article", { name: question });
    await expect(card).toContainText(agent);
    // The call is still waiting, and has told the agent so, before anyone answers.
    await expect.poll(() => progress.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    expect(settled).toBe(false);
    expect(progress[0]).toMatchObject({ total: 50, message: expect.stringContaining("waiting for the operator") });

    const form = card.getByRole("form", { name: `Answer ${agent}'s question` });
    await form.getByRole("radio", { name: "search" }).check();
    await form.getByRole("textbox", { name: "Or type your own answer" }).fill("then billing");
    await form.getByRole("button", { name: "Answer" }).click();
    await expect(page.getByRole("status", { name: "Notifications" })).toContainText(`Answer sent to ${agent}`);
    await expect(card).toBeHidden();

    const result = await asking;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ status: "answered", answer: "search, then billing", answered_by: "operator" });
    expect((result.content as { text: string }[])[0]!.text).toBe("The operator answered: search, then billing");
  } finally {
    await client.close();
  }
});
