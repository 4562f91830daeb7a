import path from "node:path";
import { defineConfig } from "vitest/config";
import { NoSkipsReporter } from "./tests/helpers/no-skips";
import { useRunTempDir } from "./tests/helpers/run-tmp";

// The run's temporary files go under one directory, removed by the global setup's teardown.
useRunTempDir("hive-vitest-");
const chaos = process.env.HIVE_SUITE === "chaos";

export default defineConfig({
  resolve: {
    alias: {
      "server-only": path.resolve(import.meta.dirname, "tests/helpers/empty.ts"),
      "@": path.resolve(import.meta.dirname),
    },
  },
  test: {
    // The fault tests that take minutes (tests/chaos: a private engine restarted under 50 agents, replicas killed
    // mid-action) run on their own, one file at a time: `npm run chaos` (HIVE_SUITE=chaos), which `npm test` runs last.
    include: chaos ? ["tests/chaos/**/*.test.ts"] : ["tests/**/*.test.ts"],
    exclude: chaos ? ["**/node_modules/**"] : ["tests/chaos/**", "**/node_modules/**"],
    globalSetup: ["tests/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: chaos ? 1 : 2,
    // No test may be skipped in CI: `.only` is refused, and any skipped or todo test fails the run (NoSkipsReporter).
    reporters: ["default", new NoSkipsReporter()],
    allowOnly: !process.env.CI,
    passWithNoTests: false,
  },
});
