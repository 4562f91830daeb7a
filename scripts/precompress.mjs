// After `next build`: writes a brotli (.br, best quality) and a gzip (.gz) copy beside each compressible file of
// .next/static, which server.mjs sends to clients that accept them. Hashed names make this a one-time cost.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const staticDir = path.join(process.argv[2] ?? path.join(root, ".next"), "static");
const COMPRESSIBLE = new Set([".js", ".css", ".json", ".svg", ".txt", ".map"]);
const MIN_BYTES = 512;

function* files(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else if (COMPRESSIBLE.has(path.extname(entry.name))) yield full;
  }
}

if (!fs.existsSync(staticDir)) {
  process.stderr.write(`precompress: ${staticDir} not found; run next build first\n`);
  process.exit(1);
}
let raw = 0;
let brotli = 0;
let count = 0;
for (const file of files(staticDir)) {
  const body = fs.readFileSync(file);
  if (body.length < MIN_BYTES) continue;
  const br = zlib.brotliCompressSync(body, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length },
  });
  const gz = zlib.gzipSync(body, { level: 9 });
  // A copy that is not smaller is not worth a Content-Encoding.
  if (br.length < body.length) fs.writeFileSync(`${file}.br`, br);
  if (gz.length < body.length) fs.writeFileSync(`${file}.gz`, gz);
  raw += body.length;
  brotli += Math.min(br.length, body.length);
  count++;
}
console.log(`precompress: ${count} files in ${path.relative(root, staticDir) || staticDir}, ${(raw / 1024).toFixed(0)} KiB → ${(brotli / 1024).toFixed(0)} KiB brotli`);
