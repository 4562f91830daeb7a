// npm test: every suite against real components. Builds the test agent image and the production bundle,
// then runs vitest (unit, database on PGlite and PostgreSQL, engine, server processes) and Playwright
// (Chromium against the production server). Any failure, including a missing engine, fails the run.
import { spawnSync } from "node:child_process";
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
  ["vitest", bin("vitest"), ["run"]],
  ["playwright", bin("playwright"), ["test"]],
];

for (const [label, command, args] of steps) {
  console.log(`\n▶ ${label}: ${[path.basename(command), ...args].join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`\n✗ ${label} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status || 1);
  }
}
console.log("\n✓ all suites passed");
