// 50 operators acting at once: each restarts (then stops, then starts) an agent of its own, all in the same instant,
// beside the same 50 engine calls made at once on like agents; then 50 operators race one agent (exactly one wins).
import { api, type BenchServer, docker, median, percentile, report, rows, step } from "./lib";
import { type Fleet, peakRss, timed } from "./scale";

const ROUNDS = Number(process.env.BENCH_OPERATOR_ROUNDS ?? 3);
const RACES = Number(process.env.BENCH_RACE_ROUNDS ?? 5);

type Action = "restart" | "stop" | "start";

async function throughDashboard(server: BenchServer, names: string[], action: Action) {
  const results = await Promise.all(
    names.map(async (name) => {
      let status = 0;
      const took = await timed(async () => {
        const response = await api(server, `/api/agents/${name}/${action}`, { method: "POST", body: "{}" });
        status = response.status;
        await response.arrayBuffer();
      });
      return { took, status };
    }),
  );
  const refused = results.filter((result) => result.status !== 200);
  if (refused.length) throw new Error(`${refused.length} of ${names.length} ${action}s failed (${[...new Set(refused.map((result) => result.status))].join(", ")})`);
  return results.map((result) => result.took);
}

function onTheEngine(names: string[], action: Action) {
  return Promise.all(
    names.map((name) =>
      timed(async () => {
        const container = docker.getContainer(`hive-${name}`);
        if (action === "restart") await container.restart({ t: 10 });
        else if (action === "stop") await container.stop({ t: 10 });
        else await container.start();
      }),
    ),
  );
}

export async function measureOperators(server: BenchServer, fleet: Fleet, label: (name: string) => string) {
  const operators = fleet.operated.length;
  const plan: Action[] = [...Array.from({ length: ROUNDS }, () => "restart" as const), "stop", "start"];
  const metric = (action: Action, p: string) => label(`${operators} operators at once: ${action} ${p}`);
  const metrics = [...new Set(plan)].flatMap((action) => [metric(action, "p50"), metric(action, "p99")]);
  const rssRow = label(`server RSS peak, ${operators} operators at once (MB)`);
  await step(`${operators} operators at once`, [...metrics, rssRow], async () => {
    const dashboard = new Map<Action, number[]>();
    const raw = new Map<Action, number[]>();
    const { peakMb } = await peakRss(server, async () => {
      for (const [round, action] of plan.entries()) {
        // The two sides take turns going first, so neither always follows the other's burst.
        const sides = [
          async () => dashboard.set(action, [...(dashboard.get(action) ?? []), ...(await throughDashboard(server, fleet.operated, action))]),
          async () => raw.set(action, [...(raw.get(action) ?? []), ...(await onTheEngine(fleet.raw, action))]),
        ];
        for (const side of round % 2 === 0 ? sides : sides.reverse()) await side();
      }
    });
    for (const action of new Set(plan)) {
      const mine = dashboard.get(action)!;
      const theirs = raw.get(action)!;
      report(metric(action, "p50"), median(mine), median(theirs), { label: "figure (target on p99)" });
      report(metric(action, "p99"), percentile(mine, 99), percentile(theirs, 99), { ratio: 1.5, label: "≤ 1.5× raw, all at once" });
    }
    report(rssRow, peakMb, null, { label: "figure" });
  });

  const raceRows = [label(`${operators} operators race one agent: rounds with exactly one success`), label(`${operators} operators race one agent: the winner's restart (median)`)];
  await step(`${operators} operators race one agent`, raceRows, async () => {
    let exact = 0;
    const winners: number[] = [];
    const outcomes: string[] = [];
    for (let round = 0; round < RACES; round++) {
      const results = await Promise.all(
        Array.from({ length: operators }, async () => {
          const started = performance.now();
          const response = await api(server, `/api/agents/${fleet.contested}/restart`, { method: "POST", body: "{}" });
          const body = (await response.json().catch(() => null)) as { error?: { code: string } } | null;
          return { status: response.status, code: body?.error?.code, took: performance.now() - started };
        }),
      );
      const won = results.filter((result) => result.status === 200);
      const refused = results.filter((result) => result.status === 409);
      if (won.length === 1 && refused.length === operators - 1) exact++;
      winners.push(...won.map((result) => result.took));
      const others = results.filter((result) => result.status !== 200 && result.status !== 409);
      outcomes.push(`${won.length} won, ${refused.length} × 409${others.length ? `, other: ${others.map((result) => `${result.status} ${result.code ?? ""}`).join(", ")}` : ""}`);
    }
    console.log(`  race rounds: ${outcomes.join("; ")}`);
    rows.push({ metric: raceRows[0]!, dashboard: `${exact} of ${RACES}`, raw: "—", ratio: "—", target: "every round", verdict: exact === RACES ? "ok" : "MISSED" });
    report(raceRows[1]!, median(winners), null, { label: "figure" });
  });
}
