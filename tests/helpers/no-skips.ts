import type { Reporter, TestModule } from "vitest/node";

/**
 * Fails a CI run that skipped anything: `.skip`, `.todo`, `.skipIf`, `ctx.skip()`, a skipped describe. Vitest's
 * `allowOnly` covers `.only` alone. Outside CI (CI unset) a skip is allowed while one works on a test.
 */
export class NoSkipsReporter implements Reporter {
  constructor(private readonly enforce = Boolean(process.env.CI)) {}

  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    if (!this.enforce) return;
    const skipped: string[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "skipped" || state === "pending") skipped.push(`${module.relativeModuleId} > ${test.fullName} (${test.options.mode})`);
      }
    }
    if (skipped.length === 0) return;
    process.stderr.write(`\n✗ ${skipped.length} test(s) did not run; with CI set none may skip:\n${skipped.map((name) => `  - ${name}`).join("\n")}\n`);
    process.exitCode = 1;
  }
}
