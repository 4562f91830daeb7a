// Questions: expiry lateness (resolved_at − deadline_at) over 1000 staggered deadlines, how long an operator's
// answer takes to reach the agent's SSE inbox, and to end the agent's waiting call: a REST long poll, and an MCP
// ask_operator (the SDK's own client), sampled in turn.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { api, median, percentile, readEvents, report, startBenchServer, step } from "./lib";

const QUESTIONS = Number(process.env.BENCH_QUESTIONS ?? 1000);
const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 60);

export async function run() {
  const server = await startBenchServer();
  try {
    const minted = await (await api(server, "/api/agent-tokens", { method: "POST", body: JSON.stringify({ agent: "bench-asker" }) })).json();
    const agent = (pathname: string, init: RequestInit = {}) =>
      fetch(`${server.baseUrl}${pathname}`, {
        ...init,
        headers: { authorization: `Bearer ${minted.token}`, "content-type": "application/json", ...(init.headers ?? {}) },
      });

    await step("expiry", [`expiry lateness median (${QUESTIONS} questions)`, `expiry lateness p99 (${QUESTIONS} questions)`], async () => {
      console.log(`asking ${QUESTIONS} questions with deadlines spread over 10 s…`);
      const asked: { id: string; deadline: number }[] = [];
      const queue = Array.from({ length: QUESTIONS }, (_, index) => index);
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
            const response = await agent("/api/agent/questions", {
              method: "POST",
              body: JSON.stringify({ question: `Question ${index}?`, ttl_seconds: 10 + (index % 11) }),
            });
            const body = (await response.json()) as { id: string; deadline_at: string };
            asked.push({ id: body.id, deadline: Date.parse(body.deadline_at) });
          }
        }),
      );
      const last = Math.max(...asked.map((question) => question.deadline));
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, last - Date.now()) + 3_000));
      const lateness: number[] = [];
      for (let index = 0; index < asked.length; index += 50) {
        const views = await Promise.all(
          asked.slice(index, index + 50).map(async (question) => ({ question, view: (await (await agent(`/api/agent/questions/${question.id}`)).json()) as { status: string; resolved_at: string } })),
        );
        for (const { question, view } of views) {
          if (view.status !== "expired") throw new Error(`question ${question.id} is ${view.status}, not expired`);
          lateness.push(Date.parse(view.resolved_at) - question.deadline);
        }
      }
      report(`expiry lateness median (${QUESTIONS} questions)`, median(lateness), null, { label: "figure (target on p99)" });
      report(`expiry lateness p99 (${QUESTIONS} questions)`, percentile(lateness, 99), null, { max: 1000, label: "≤ 1000 ms" });
    });

    // Answer → the agent's SSE inbox.
    await step("answer delivery", ["answer → agent's SSE inbox (median)", "answer → agent's SSE inbox (p99)"], async () => {
      const controller = new AbortController();
      const stream = await agent("/api/agent/events", { signal: controller.signal });
      const waiting = new Map<string, (at: number) => void>();
      void readEvents(stream, () => false, {
        timeoutMs: Number.POSITIVE_INFINITY,
        signal: controller.signal,
        onEvent: ({ event, data }) => {
          if (event !== "operator_answered") return;
          const id = (JSON.parse(data) as { payload: { id: string } }).payload.id;
          waiting.get(id)?.(performance.now());
        },
      });
      const delivery: number[] = [];
      for (let sample = 0; sample < DELIVERIES; sample++) {
        const { id } = (await (await agent("/api/agent/questions", { method: "POST", body: JSON.stringify({ question: `Deliver ${sample}?` }) })).json()) as { id: string };
        const arrived = new Promise<number>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`answer ${id} never arrived`)), 10_000);
          waiting.set(id, (at) => {
            clearTimeout(timer);
            resolve(at);
          });
        });
        const sentAt = performance.now();
        const response = await api(server, `/api/questions/${id}/answer`, { method: "POST", body: JSON.stringify({ text: "yes" }) });
        if (!response.ok) throw new Error(`answer failed: ${response.status}`);
        delivery.push((await arrived) - sentAt);
      }
      controller.abort();
      report("answer → agent's SSE inbox (median)", median(delivery), null, { label: "figure (target on p99)" });
      report("answer → agent's SSE inbox (p99)", percentile(delivery, 99), null, { max: 250, label: "≤ 250 ms" });
    });

    // Answer → the end of the agent's waiting call, REST long poll and MCP ask_operator in turn (ABAB).
    const mcpRows = ["answer → MCP ask_operator result (median)", "answer → MCP ask_operator result (p99)"];
    await step("answer → waiting call", ["answer → REST long poll (median)", "answer → REST long poll (p99)", ...mcpRows], async () => {
      const client = new Client({ name: "bench-agent", version: "1.0.0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${server.baseUrl}/api/agent/mcp`), { requestInit: { headers: { authorization: `Bearer ${minted.token}` } } }));
      // The call is surely waiting when the answer goes (the bench's only fixed pause, outside the measured span).
      const settleIntoWait = () => new Promise((resolve) => setTimeout(resolve, 200));
      const answerNow = async (id: string) => {
        const sentAt = performance.now();
        const response = await api(server, `/api/questions/${id}/answer`, { method: "POST", body: JSON.stringify({ text: "yes" }) });
        if (!response.ok) throw new Error(`answer failed: ${response.status}`);
        return sentAt;
      };
      const rest: number[] = [];
      const mcp: number[] = [];
      try {
        for (let sample = 0; sample < DELIVERIES; sample++) {
          const { id } = (await (await agent("/api/agent/questions", { method: "POST", body: JSON.stringify({ question: `Poll ${sample}?` }) })).json()) as { id: string };
          const polling = agent(`/api/agent/questions/${id}?wait_seconds=60`).then(async (response) => ({ at: performance.now(), body: (await response.json()) as { status: string } }));
          await settleIntoWait();
          const restSentAt = await answerNow(id);
          const polled = await polling;
          if (polled.body.status !== "answered") throw new Error(`long poll answered ${polled.body.status}`);
          rest.push(polled.at - restSentAt);

          // The same idempotency key over REST names the question the tool call asked (or asks it first: the same one).
          const key = `bench-mcp-${sample}-${Date.now()}`;
          const asking = client
            .callTool({ name: "ask_operator", arguments: { question: `Ask ${sample}?`, idempotency_key: key } }, undefined, { timeout: 70_000 })
            .then((result) => ({ at: performance.now(), result }));
          const named = (await (await agent("/api/agent/questions", { method: "POST", body: JSON.stringify({ question: `Ask ${sample}?`, idempotency_key: key }) })).json()) as { id: string };
          await settleIntoWait();
          const mcpSentAt = await answerNow(named.id);
          const asked = await asking;
          const outcome = asked.result.structuredContent as { status?: string; question_id?: string } | undefined;
          if (outcome?.status !== "answered" || outcome.question_id !== named.id) throw new Error(`ask_operator answered ${JSON.stringify(asked.result.content)}`);
          mcp.push(asked.at - mcpSentAt);
        }
      } finally {
        await client.close();
      }
      report("answer → REST long poll (median)", median(rest), null, { label: "figure" });
      report("answer → REST long poll (p99)", percentile(rest, 99), null, { label: "figure" });
      report(mcpRows[0]!, median(mcp), median(rest), { label: "figure (target on p99); raw: REST long poll" });
      report(mcpRows[1]!, percentile(mcp, 99), percentile(rest, 99), { max: 100, label: "≤ 100 ms; raw: REST long poll" });
    });
  } finally {
    await server.stop();
  }
}
