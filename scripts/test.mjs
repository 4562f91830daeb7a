// npm test: every suite against real components. Builds the test agent image, the production bundle and the
// dashboard's container image, then runs vitest (unit, database on PGlite and PostgreSQL, engine, server processes,
// the image), Playwright (Chromium against the production server, and behind nginx) and the chaos suite. Any
// failure, including a missing engine, fails the run.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);
process.env.NEXT_TELEMETRY_DISABLED = "1";
const bin = (name) => path.join(root, "node_modules", ".bin", name);

const steps = [
  ["provision (engine, busybox, chromium, postgresql)", "bash", ["scripts/provision.sh"]],
  ["test agent image", "bash", ["scripts/build-test-agent.sh"]],
  ["production build", bin("next"), ["build"]],
  ["precompressed assets", process.execPath, ["scripts/precompress.mjs"]],
  // Built here rather than inside a suite, so its CPU-heavy build never runs beside timing-sensitive tests.
  ["dashboard container image (its base from Debian's packages, once per machine)", process.execPath, ["scripts/image/build-image.mjs", "--quiet"]],
  ["vitest", bin("vitest"), ["run"]],
  ["playwright", bin("playwright"), ["test"]],
  // Minutes each, one file at a time: a private engine restarted under 50 agents, a replica killed mid-action.
  ["chaos (tests/chaos)", bin("vitest"), ["run"], { HIVE_SUITE: "chaos" }],
];

// Every temporary directory of the run (data dirs, PostgreSQL clusters, sockets) goes under one, removed at the end
// (tests/helpers/run-tmp.ts: the suites use this one instead of making their own).
const runTmp = fs.mkdtempSync(path.join(os.tmpdir(), "hive-test-run-"));
fs.chmodSync(runTmp, 0o755);
const env = { ...process.env, TMPDIR: runTmp, HIVE_RUN_TMPDIR: runTmp, HIVE_RUN_TMPDIR_OWNER: String(process.pid) };

let failed = null;
for (const [label, command, args, stepEnv = {}] of steps) {
  console.log(`\n▶ ${label}: ${[path.basename(command), ...args].join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...env, ...stepEnv } });
  if (result.status !== 0) {
    console.error(`\n✗ ${label} failed (exit ${result.status ?? result.signal})`);
    failed = result.status || 1;
    break;
  }
}
fs.rmSync(runTmp, { recursive: true, force: true });
if (failed !== null) process.exit(failed);
console.log("\n✓ all suites passed");
