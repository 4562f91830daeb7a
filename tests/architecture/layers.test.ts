import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, tempDir } from "../helpers/server";

const CONFIG = path.join(ROOT, ".dependency-cruiser.cjs");

/** dependency-cruiser's own verdict on a tree (the project, or a small one made to break a rule). */
function cruise(cwd: string, targets: string[]): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [path.join(ROOT, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs"), ...targets, "--config", CONFIG, "--output-type", "err"], {
    cwd,
    encoding: "utf8",
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

function writeTree(files: Record<string, string>): string {
  const dir = tempDir("hive-layers-");
  fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { baseUrl: ".", paths: { "@/*": ["./*"] } } }));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

describe("the layers of the house (dependency-cruiser, .dependency-cruiser.cjs)", () => {
  it("hold in this code base: no cycle, no forbidden edge", () => {
    const { status, output } = cruise(ROOT, ["app", "components", "server", "instrumentation.ts"]);
    expect(output).toContain("no dependency violations found");
    expect(status).toBe(0);
  });

  it("catch a cycle, a service that knows HTTP, a worker in a service's internals, a driver that knows the database", () => {
    const dir = writeTree({
      "server/caches/a.ts": 'import { b } from "./b";\nexport const a = () => b;\n',
      "server/caches/b.ts": 'import { a } from "./a";\nexport const b = () => a;\n',
      "server/http/sse.ts": "export const sse = 1;\n",
      "server/services/agents/internal/helper.ts": "export const helper = 1;\n",
      "server/services/agents/start-agent.ts": 'import { sse } from "../../http/sse";\nimport { helper } from "./internal/helper";\nexport const start = sse + helper;\n',
      "server/workers/crash-watch.ts": 'import { helper } from "../services/agents/internal/helper";\nexport const watch = helper;\n',
      "server/db/client.ts": "export const db = 1;\n",
      "server/runtime/docker/driver.ts": 'import { db } from "../../db/client";\nexport const driver = db;\n',
      "components/row.tsx": 'import { db } from "@/server/db/client";\nexport const Row = () => db;\n',
    });
    const { status, output } = cruise(dir, ["server", "components"]);
    expect(status).not.toBe(0);
    for (const rule of ["no-cycles", "services-know-no-http", "workers-call-verbs-not-internals", "runtime-knows-no-database", "components-only-reach-contracts"]) {
      expect(output).toContain(`error ${rule}:`);
    }
  });
});
