// npm run bench [suite...] [-- --soak 20m]: speed figures side by side with the raw engine calls they wrap.
// Suites: foundation, containers, questions, journal (default: these); swarm (asked for by name: it needs root and
// makes a two-node swarm of its own), scale (asked for by name: it makes a fleet of 1000 agents) and fleet (asked for
// by name: 200 agents, the cost of live resource use). Each suite starts its own production server and cleans up
// after itself, also on Ctrl-C.
import { removeRunTempDir, useRunTempDir } from "../../tests/helpers/run-tmp";
import { failures, notMeasured, onInterrupt, printReport } from "./lib";

type Suite = { name: string; run: () => Promise<void>; onlyByName?: boolean };

const suites: Suite[] = [
  { name: "foundation", run: async () => (await import("./foundation")).run() },
  { name: "containers", run: async () => (await import("./containers")).run() },
  { name: "questions", run: async () => (await import("./questions")).run() },
  { name: "journal", run: async () => (await import("./journal")).run() },
  { name: "swarm", run: async () => (await import("./swarm")).run(), onlyByName: true },
  { name: "scale", run: async () => (await import("./scale")).run(), onlyByName: true },
  { name: "fleet", run: async () => (await import("./fleet")).run(), onlyByName: true },
];

/** `--soak <duration>` (e.g. 20m, 90s) is the same as BENCH_SOAK=<duration>: the scale suite's soak mode. */
function parseArguments(argv: string[]): string[] {
  const names: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    if (argument === "--soak") process.env.BENCH_SOAK = argv[++index] ?? "20m";
    else if (argument.startsWith("--soak=")) process.env.BENCH_SOAK = argument.slice("--soak=".length);
    else names.push(argument);
  }
  return names;
}

// An interrupted bench still removes what it made (a fleet of a thousand containers must not stay behind).
let interrupted = false;
function cleanUpAndExit(why: string, code: number) {
  if (interrupted) return;
  interrupted = true;
  console.error(`\n${why}: cleaning up before exiting…`);
  void Promise.allSettled([...onInterrupt].map((cleanup) => cleanup())).then(() => {
    removeRunTempDir();
    process.exit(code);
  });
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => cleanUpAndExit(signal, 130));
// A bench bug that escapes its step must not leave the fleet behind either.
process.on("unhandledRejection", (reason) => {
  console.error(reason);
  cleanUpAndExit("unhandled rejection", 1);
});

async function main() {
  // The servers' data dirs and clusters go under one directory, removed at the end.
  useRunTempDir("hive-bench-run-");
  const wanted = parseArguments(process.argv.slice(2));
  if (process.env.BENCH_SOAK && !wanted.includes("scale")) wanted.push("scale");
  const selected = wanted.length ? suites.filter((suite) => wanted.includes(suite.name)) : suites.filter((suite) => !suite.onlyByName);
  if (selected.length === 0) throw new Error(`unknown suite; choose from ${suites.map((suite) => suite.name).join(", ")}`);
  for (const suite of selected) {
    console.log(`\n▶ ${suite.name}`);
    // A suite that fails outside its steps (its setup) loses its own figures, not the others' nor the report.
    try {
      await suite.run();
    } catch (error) {
      const reason = (error as Error)?.message ?? String(error);
      console.error(`  ✗ ${suite.name} stopped: ${reason}`);
      failures.push(`${suite.name}: ${reason}`);
      notMeasured(`${suite.name}: the rest of the suite`, `stopped: ${reason}`);
    }
  }
  printReport(`Hive Dashboard benchmarks (${new Date().toISOString()}, ${selected.map((suite) => suite.name).join(", ")})`);
  if (failures.length > 0) {
    console.log(`\n${failures.length} step(s) failed; their figures are marked "not measured":\n${failures.map((failure) => `  - ${failure}`).join("\n")}`);
    process.exitCode = 1;
  }
}

main().then(removeRunTempDir, (error) => {
  console.error(error);
  removeRunTempDir();
  process.exit(1);
});
