import { defineConfig } from "@playwright/test";

// The guard as playwright.config.ts wires it, on a spec that skips (tests/unit/no-skips.test.ts runs this).
export default defineConfig({
  testDir: "fixtures",
  testMatch: "*.fixture.spec.ts",
  reporter: [["list"], ["../helpers/no-skips-playwright.ts"]],
  outputDir: process.env.PW_FIXTURE_OUTPUT,
});
