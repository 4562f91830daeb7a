// npm start: builds the production bundle when the sources are newer than the last build, then serves it
// (the embedded database migrates itself at start; an external PostgreSQL is migrated by npm run db:migrate).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);
process.env.NEXT_TELEMETRY_DISABLED ??= "1";

function newestMtime(entry) {
  const stat = fs.statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of fs.readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, child)));
  return newest;
}

const sources = ["app", "components", "server", "public", "drizzle", "instrumentation.ts", "next.config.ts", "package-lock.json", "tsconfig.json"];
const buildId = path.join(root, ".next", "BUILD_ID");
const built = fs.statSync(buildId, { throwIfNoEntry: false })?.mtimeMs ?? 0;
if (built === 0 || Math.max(...sources.map(newestMtime)) > built) {
  console.log(built === 0 ? "hive-dashboard: building (first start)…" : "hive-dashboard: sources changed, rebuilding…");
  const result = spawnSync(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"], { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
  const precompress = spawnSync(process.execPath, [path.join(root, "scripts", "precompress.mjs")], { stdio: "inherit" });
  if (precompress.status !== 0) process.exit(precompress.status ?? 1);
}
await import("../server.mjs");
