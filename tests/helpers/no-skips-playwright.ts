import type { FullResult, Reporter, Suite } from "@playwright/test/reporter";

/** Fails a CI run in which any spec was skipped (`test.skip`, `test.fixme`, a skip inside the test); Playwright's own `forbidOnly` covers `.only` alone. */
export default class NoSkipsPlaywrightReporter implements Reporter {
  private suite: Suite | undefined;

  onBegin(_config: unknown, suite: Suite) {
    this.suite = suite;
  }

  async onEnd(result: FullResult): Promise<{ status: FullResult["status"] } | undefined> {
    if (!process.env.CI || !this.suite) return undefined;
    const skipped = this.suite.allTests().filter((test) => test.outcome() === "skipped");
    if (skipped.length === 0) return undefined;
    const names = skipped.map((test) => `  - ${test.location.file.split("/").slice(-2).join("/")} > ${test.titlePath().filter(Boolean).slice(1).join(" > ")}`);
    process.stderr.write(`\n✗ ${skipped.length} spec(s) did not run; with CI set none may skip:\n${names.join("\n")}\n`);
    return { status: result.status === "passed" ? "failed" : result.status };
  }
}
