import path from "node:path";
import { defineConfig } from "vitest/config";
import { NoSkipsReporter } from "../helpers/no-skips";

// The guard as the suite's own config wires it, on a file that skips (tests/unit/no-skips.test.ts runs this).
export default defineConfig({
  root: path.resolve(import.meta.dirname, "../.."),
  test: { include: ["tests/skip-guard/fixtures/*.fixture.ts"], reporters: ["default", new NoSkipsReporter()] },
});
