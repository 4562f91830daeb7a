// 100 open dashboards (SSE clients on /api/stream) while an operator acts: the time from the action to its notice at
// the last of them, and to the last one's state read after it (what a page does on a notice), with the server's RSS.
import { api, type BenchServer, median, percentile, readEvents, report, rows, step } from "./lib";
import { type Fleet, peakRss } from "./scale";

const CLIENTS = Number(process.env.BENCH_SSE_CLIENTS ?? 100);
const ROUNDS = Number(process.env.BENCH_SSE_ROUNDS ?? 30);

type Client = { controller: AbortController; waiters: Map<string, (at: number) => void> };

async function openClients(server: BenchServer): Promise<Client[]> {
  return Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const controller = new AbortController();
      const waiters = new Map<string, (at: number) => void>();
      const response = await api(server, "/api/stream", { signal: controller.signal });
      if (!response.ok) throw new Error(`/api/stream answered ${response.status}`);
      let ready!: () => void;
      const isReady = new Promise<void>((resolve) => (ready = resolve));
      void readEvents(response, () => false, {
        timeoutMs: Number.POSITIVE_INFINITY,
        signal: controller.signal,
        onEvent: ({ event, data }) => {
          if (event === "ready") ready();
          if (event !== "change") return;
          const notice = JSON.parse(data) as { kind: string; agent: string | null };
          waiters.get(`${notice.kind}:${notice.agent}`)?.(performance.now());
        },
      }).catch(() => undefined);
      await isReady;
      return { controller, waiters };
    }),
  );
}

function noticeAt(client: Client, key: string, timeoutMs = 15_000) {
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.waiters.delete(key);
      reject(new Error(`no ${key} notice within ${timeoutMs} ms`));
    }, timeoutMs);
    client.waiters.set(key, (at) => {
      clearTimeout(timer);
      client.waiters.delete(key);
      resolve(at);
    });
  });
}

export async function measureSse(server: BenchServer, fleet: Fleet, label: (name: string) => string) {
  const metrics = [
    label(`action → last of ${CLIENTS} dashboards notified, p50`),
    label(`action → last of ${CLIENTS} dashboards notified, p99`),
    label(`action → each of ${CLIENTS} dashboards notified, p99 (all deliveries)`),
    label(`action → last of ${CLIENTS} dashboards has re-read /api/state, p99`),
    label(`notices missed (${CLIENTS} dashboards × ${ROUNDS} actions)`),
    label(`server RSS peak, ${CLIENTS} SSE clients (MB)`),
  ];
  await step(`${CLIENTS} SSE clients`, metrics, async () => {
    const clients = await openClients(server);
    try {
      const last: number[] = [];
      const each: number[] = [];
      const lastRead: number[] = [];
      let missed = 0;
      const { peakMb } = await peakRss(server, async () => {
        for (let round = 0; round < ROUNDS; round++) {
          const agent = fleet.sseTargets[round % fleet.sseTargets.length]!;
          const key = `action_started:${agent}`;
          const sentAt = performance.now();
          // Every dashboard, on its notice, reads the state again, as the page does.
          const arrivals = clients.map((client) =>
            noticeAt(client, key).then(
              async (at) => {
                await (await api(server, "/api/state")).arrayBuffer();
                return { at, readAt: performance.now() };
              },
              () => null,
            ),
          );
          const response = await api(server, `/api/agents/${agent}/restart`, { method: "POST", body: "{}" });
          if (!response.ok) throw new Error(`restart ${agent} answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
          const seen = (await Promise.all(arrivals)).filter((arrival) => arrival !== null);
          missed += clients.length - seen.length;
          if (seen.length === 0) continue;
          each.push(...seen.map((arrival) => arrival.at - sentAt));
          last.push(Math.max(...seen.map((arrival) => arrival.at)) - sentAt);
          lastRead.push(Math.max(...seen.map((arrival) => arrival.readAt)) - sentAt);
        }
      });
      report(metrics[0]!, median(last), null, { label: "figure (target on p99)" });
      report(metrics[1]!, percentile(last, 99), null, { max: 250, label: "≤ 250 ms" });
      report(metrics[2]!, percentile(each, 99), null, { label: "figure" });
      report(metrics[3]!, percentile(lastRead, 99), null, { label: "figure" });
      rows.push({ metric: metrics[4]!, dashboard: String(missed), raw: "—", ratio: "—", target: "0", verdict: missed === 0 ? "ok" : "MISSED" });
      report(metrics[5]!, peakMb, null, { label: "figure" });
    } finally {
      for (const client of clients) client.controller.abort();
    }
  });
}
