import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";
import { useRunTempDir } from "./tests/helpers/run-tmp";

export const E2E_PORT = Number(process.env.HIVE_E2E_PORT || 3317);
export const E2E_OPERATOR_TOKEN = "hive_op_e2e-operator-token-0123456789";
// The run's temporary files (this data dir, the tests' own) go under one directory. `npm test` removes it; a direct
// `playwright test` leaves it (the server still runs during a global teardown, so that cannot remove its data dir).
useRunTempDir("hive-e2e-");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "hive-e2e-"));

export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  // With CI set, `.only` is refused (forbidOnly) and any skipped spec fails the run (the second reporter).
  reporter: [["list"], ["./tests/helpers/no-skips-playwright.ts"]],
  outputDir: "test-results",
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
    browserName: "chromium",
    launchOptions: {
      executablePath: process.env.HIVE_CHROMIUM || "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  webServer: {
    command: "node server.mjs",
    url: `http://127.0.0.1:${E2E_PORT}/dashboard-healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      PORT: String(E2E_PORT),
      HIVE_HOST: "127.0.0.1",
      HIVE_DATA_DIR: dataDir,
      HIVE_OPERATOR_TOKEN: E2E_OPERATOR_TOKEN,
      HIVE_PUBLIC_URL: `http://127.0.0.1:${E2E_PORT}`,
      HIVE_PUBLIC_API_URL: `http://127.0.0.1:${E2E_PORT}`,
      NEXT_TELEMETRY_DISABLED: "1",
      LOG_LEVEL: "warn",
    },
  },
});
