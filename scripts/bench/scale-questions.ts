// 1000 questions waiting and 100 agents long-polling: how long an ask takes while the queue fills, how long an
// operator's answer takes to end the agent's waiting call (and that every one arrives), and how late the 1000 expire.
import { api, type BenchServer, inBatches, median, percentile, report, rows, step } from "./lib";
import { type Fleet, peakRss } from "./scale";

const QUESTIONS = Number(process.env.BENCH_SCALE_QUESTIONS ?? 1000);
const POLLERS = Number(process.env.BENCH_POLLERS ?? 100);
/** The waiting questions' deadlines are spread over 10 s from this many seconds on, after the answers are done. */
const TTL_SECONDS = Number(process.env.BENCH_SCALE_QUESTION_TTL ?? 60);

type AgentClient = (pathname: string, init?: RequestInit) => Promise<Response>;

async function agentClient(server: BenchServer, name: string): Promise<AgentClient> {
  const response = await api(server, "/api/agent-tokens", { method: "POST", body: JSON.stringify({ agent: name }) });
  if (!response.ok) throw new Error(`minting a token for ${name} answered ${response.status}`);
  const { token } = (await response.json()) as { token: string };
  return (pathname, init = {}) =>
    fetch(`${server.baseUrl}${pathname}`, { ...init, headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...(init.headers ?? {}) } });
}

export async function measureQuestions(server: BenchServer, fleet: Fleet, label: (name: string) => string) {
  const metrics = [
    label(`ask while ${QUESTIONS} fill the queue, p50`),
    label(`ask while ${QUESTIONS} fill the queue, p99`),
    label(`answer → agent's long poll (${POLLERS} polling, ${QUESTIONS} waiting), p50`),
    label(`answer → agent's long poll (${POLLERS} polling, ${QUESTIONS} waiting), p99`),
    label(`answers delivered to ${POLLERS} long-polling agents`),
    label(`expiry lateness p50 (${QUESTIONS} questions)`),
    label(`expiry lateness p99 (${QUESTIONS} questions)`),
    label(`server RSS peak, ${QUESTIONS} questions + ${POLLERS} long polls (MB)`),
  ];
  await step(`${QUESTIONS} questions, ${POLLERS} long polls`, metrics, async () => {
    const agents: AgentClient[] = [];
    for (const name of fleet.names.slice(0, POLLERS)) agents.push(await agentClient(server, name));
    const { peakMb } = await peakRss(server, async () => {
      console.log(`  asking ${QUESTIONS} questions from ${agents.length} agents…`);
      const asked: { id: string; deadline: number; asker: number }[] = [];
      const askTimes: number[] = [];
      await inBatches(
        Array.from({ length: QUESTIONS }, (_, index) => index),
        16,
        async (index) => {
          const started = performance.now();
          const response = await agents[index % agents.length]!("/api/agent/questions", {
            method: "POST",
            body: JSON.stringify({ question: `Scale question ${index}?`, ttl_seconds: TTL_SECONDS + (index % 11) }),
          });
          if (response.status !== 201 && response.status !== 200) throw new Error(`ask answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
          const body = (await response.json()) as { id: string; deadline_at: string };
          askTimes.push(performance.now() - started);
          asked.push({ id: body.id, deadline: Date.parse(body.deadline_at), asker: index % agents.length });
        },
      );
      report(metrics[0]!, median(askTimes), null, { label: "figure (target on p99)" });
      report(metrics[1]!, percentile(askTimes, 99), null, { label: "figure" });

      // Each agent asks one more and waits on it; the operator answers them one after another.
      const polls = await Promise.all(
        agents.map(async (agent, index) => {
          const response = await agent("/api/agent/questions", { method: "POST", body: JSON.stringify({ question: `Poller ${index}?`, ttl_seconds: 600 }) });
          const { id } = (await response.json()) as { id: string };
          const answer = `answer ${index}`;
          const returned = agent(`/api/agent/questions/${id}?wait_seconds=120`).then(async (reply) => ({ at: performance.now(), body: (await reply.json()) as { status: string; answer: string | null } }));
          return { id, answer, returned };
        }),
      );
      // The waits are surely open when the answers go (a fixed pause outside every measured span).
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const delivery: number[] = [];
      let delivered = 0;
      for (const poll of polls) {
        const sentAt = performance.now();
        const response = await api(server, `/api/questions/${poll.id}/answer`, { method: "POST", body: JSON.stringify({ text: poll.answer }) });
        if (!response.ok) throw new Error(`answer answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
        const { at, body } = await poll.returned;
        delivery.push(at - sentAt);
        if (body.status === "answered" && body.answer === poll.answer) delivered++;
      }
      report(metrics[2]!, median(delivery), null, { label: "figure (target on p99)" });
      report(metrics[3]!, percentile(delivery, 99), null, { max: 250, label: "≤ 250 ms" });
      rows.push({ metric: metrics[4]!, dashboard: `${delivered} of ${polls.length}`, raw: "—", ratio: "—", target: "all", verdict: delivered === polls.length ? "ok" : "MISSED" });

      const last = Math.max(...asked.map((question) => question.deadline));
      console.log(`  waiting ${((last - Date.now()) / 1000).toFixed(0)} s for the ${QUESTIONS} questions to expire…`);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, last - Date.now()) + 3_000));
      const lateness: number[] = [];
      const notExpired: string[] = [];
      await inBatches(asked, 25, async (question) => {
        const view = (await (await agents[question.asker]!(`/api/agent/questions/${question.id}`)).json()) as { status: string; resolved_at: string };
        if (view.status !== "expired") notExpired.push(`${question.id} ${view.status}`);
        else lateness.push(Date.parse(view.resolved_at) - question.deadline);
      });
      if (notExpired.length) throw new Error(`${notExpired.length} questions not expired 3 s after their deadline: ${notExpired.slice(0, 3).join(", ")}`);
      report(metrics[5]!, median(lateness), null, { label: "figure (target on p99)" });
      report(metrics[6]!, percentile(lateness, 99), null, { max: 1000, label: "≤ 1000 ms" });
    });
    report(metrics[7]!, peakMb, null, { label: "figure" });
  });
}
