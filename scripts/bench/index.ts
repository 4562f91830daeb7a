// npm run bench [suite...]: speed figures side by side with the raw engine calls they wrap.
// Suites: foundation, containers, questions, journal (default: these), and swarm (asked for by name: it needs root and
// makes a two-node swarm of its own). Each suite starts its own production server and cleans up after itself.
import { removeRunTempDir, useRunTempDir } from "../../tests/helpers/run-tmp";
import { failures, notMeasured, printReport } from "./lib";

type Suite = { name: string; run: () => Promise<void>; onlyByName?: boolean };

const suites: Suite[] = [
  { name: "foundation", run: async () => (await import("./foundation")).run() },
  { name: "containers", run: async () => (await import("./containers")).run() },
  { name: "questions", run: async () => (await import("./questions")).run() },
  { name: "journal", run: async () => (await import("./journal")).run() },
  { name: "swarm", run: async () => (await import("./swarm")).run(), onlyByName: true },
];

async function main() {
  // The servers' data dirs and clusters go under one directory, removed at the end.
  useRunTempDir("hive-bench-run-");
  const wanted = process.argv.slice(2);
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
