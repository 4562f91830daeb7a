// Assembles the container image's application tree (run in the Dockerfile's build stage, after `npm run build`):
// Next's traced standalone output, our HTTP host (server.mjs, host/) and the command-line tools bundled from
// scripts/*.ts, with exactly the node_modules files those trace to. Usage: node scripts/assemble-runtime.mjs <out>
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.resolve(process.argv[2] ?? "");
if (!process.argv[2]) throw new Error("usage: node scripts/assemble-runtime.mjs <output directory>");
const require = createRequire(import.meta.url);
const { nodeFileTrace } = require("next/dist/compiled/@vercel/nft");

/** The commands the image offers as `npm run <name>`, each bundled from its TypeScript source. */
const COMMANDS = { "db:migrate": "db-migrate", "operator:token": "operator-token", backup: "backup", restore: "restore" };
// Build-time tools and the image optimizer (unused: images are unoptimized) never belong in the runtime tree.
// The few Next files our host loads that Next's own server does not (the custom-server entry and its helpers).
const NEXT_FILES_OURS = ["node_modules/next/dist/server/next.js", "node_modules/next/dist/compiled/compression/"];
// So are source maps, and PGlite's optional extensions (the dashboard loads none).
const NEVER = /node_modules\/(@next\/swc|@img\/|sharp\/|typescript\/|@esbuild\/|esbuild\/|@rolldown\/|lightningcss|@playwright\/|playwright|vitest|vite\/|drizzle-kit\/|tsx\/|@types\/)|\.map$|@electric-sql\/pglite\/dist\/(contrib\/|[^/]+\.tar\.gz$)/;

const standalone = path.join(root, ".next", "standalone");
if (!fs.existsSync(path.join(standalone, "node_modules"))) throw new Error("no .next/standalone: run `npm run build` first");
fs.rmSync(out, { recursive: true, force: true });
fs.cpSync(standalone, out, { recursive: true, verbatimSymlinks: true, filter: (source) => !NEVER.test(source) });
fs.rmSync(path.join(out, "server.js")); // Next's own launcher: server.mjs is ours
fs.cpSync(path.join(root, ".next", "static"), path.join(out, ".next", "static"), { recursive: true });
fs.cpSync(path.join(root, "public"), path.join(out, "public"), { recursive: true });
fs.cpSync(path.join(root, "drizzle"), path.join(out, "drizzle"), { recursive: true });

// The command-line tools: bundled (the server's own modules included), their packages left to node_modules.
const cliDir = path.join(root, ".next", "cli");
fs.rmSync(cliDir, { recursive: true, force: true });
await build({
  entryPoints: Object.values(COMMANDS).map((name) => path.join(root, "scripts", `${name}.ts`)),
  outdir: cliDir,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  packages: "external",
  conditions: ["react-server"],
  // Every other package stays in node_modules, where Node would resolve server-only to the module that throws:
  // bundle its react-server export (empty), as the server's own bundle resolves it.
  plugins: [{ name: "server-only", setup: (context) => context.onResolve({ filter: /^server-only$/ }, () => ({ path: path.join(root, "node_modules/server-only/empty.js") })) }],
  tsconfig: path.join(root, "tsconfig.json"),
  logLevel: "warning",
});

// What our own entry points need at run time, traced file by file.
const entries = [
  "server.mjs",
  ...fs.readdirSync(path.join(root, "host")).map((name) => `host/${name}`),
  "scripts/pglite-init.mjs",
  ...Object.values(COMMANDS).map((name) => `.next/cli/${name}.mjs`),
].map((file) => path.join(root, file));
const { fileList } = await nodeFileTrace(entries, { base: root, ignore: (file) => NEVER.test(file) });
let added = 0;
for (const file of fileList) {
  // Next itself is in the standalone output as its own trace has it; ours, from `import("next")`, would add every
  // prebuilt runtime and its docs (80 MB) that a production server never loads.
  if (file.startsWith("node_modules/next/") && !NEXT_FILES_OURS.some((prefix) => file.startsWith(prefix))) continue;
  const target = path.join(out, file.startsWith(".next/cli/") ? file.replace(".next/cli/", "cli/") : file);
  if (fs.existsSync(target)) continue;
  const source = path.join(root, file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  if (fs.lstatSync(source).isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(source), target);
  else if (fs.statSync(source).isFile()) fs.copyFileSync(source, target);
  added++;
}

const project = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const scripts = { start: "node server.mjs" };
for (const [command, name] of Object.entries(COMMANDS)) scripts[command] = `node cli/${name}.mjs`;
fs.writeFileSync(
  path.join(out, "package.json"),
  `${JSON.stringify({ name: project.name, version: project.version, private: true, description: project.description, scripts }, null, 2)}\n`,
);

const bytes = (dir) =>
  fs.readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const full = path.join(dir, entry.name);
    return sum + (entry.isDirectory() ? bytes(full) : entry.isFile() ? fs.statSync(full).size : 0);
  }, 0);
console.log(`assemble-runtime: ${out}: ${(bytes(out) / 1024 / 1024).toFixed(1)} MB (${added} traced files added to Next's standalone output)`);
