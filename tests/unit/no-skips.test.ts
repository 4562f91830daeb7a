import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import playwrightConfig from "../../playwright.config";
import vitestConfig from "../../vitest.config.mjs";
import { NoSkipsReporter } from "../helpers/no-skips";
import { ROOT, tempDir } from "../helpers/server";

// With CI set, a skipped test fails the run (vitest and Playwright alike); each guard is run on a file that skips.
function run(tool: "vitest" | "playwright", ci: boolean) {
  const args =
    tool === "vitest"
      ? ["run", "--config", "tests/skip-guard/vitest.fixture.config.mts"]
      : ["test", "--config", "tests/skip-guard/playwright.fixture.config.ts"];
  const env: NodeJS.ProcessEnv = { ...process.env, PW_FIXTURE_OUTPUT: tempDir("hive-pw-fixture-"), FORCE_COLOR: "0" };
  delete env.CI;
  if (ci) env.CI = "true";
  const result = spawnSync(path.join(ROOT, "node_modules", ".bin", tool), args, { cwd: ROOT, env, encoding: "utf8", timeout: 120_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("no skipped tests in CI", () => {
  it("vitest: a .skip, .todo or skipped describe fails a CI run, naming each; outside CI it passes", () => {
    const ci = run("vitest", true);
    expect(ci.status, ci.output).toBe(1);
    expect(ci.output).toContain("3 test(s) did not run; with CI set none may skip");
    for (const name of ["is skipped (skip)", "is still to do (todo)", "a skipped group > never runs (skip)"]) expect(ci.output).toContain(name);
    const local = run("vitest", false);
    expect(local.status, local.output).toBe(0);
  });

  it("playwright: test.skip, test.fixme or a skip inside a test fails a CI run, naming each; outside CI it passes", () => {
    const ci = run("playwright", true);
    expect(ci.status, ci.output).toBe(1);
    expect(ci.output).toContain("3 spec(s) did not run; with CI set none may skip");
    for (const name of ["is skipped", "is still to fix", "skips itself"]) expect(ci.output).toContain(`skipped.fixture.spec.ts > ${name}`);
    const local = run("playwright", false);
    expect(local.status, local.output).toBe(0);
  });

  it("is wired into the suites' own configs", () => {
    expect(vitestConfig.test?.reporters).toContainEqual(expect.any(NoSkipsReporter));
    expect(playwrightConfig.reporter).toContainEqual(["./tests/helpers/no-skips-playwright.ts"]);
  });
});
