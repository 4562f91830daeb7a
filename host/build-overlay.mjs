// Under a base path, Next's build output is served through an overlay: a directory that links to the build and
// holds patched copies of the few server files that name client chunks by absolute URL (/_next/static/…).
// Next writes those URLs at build time (its client-reference manifests, a prerendered error page), while every
// other asset URL follows the asset prefix set at start. The build itself is never written to (a container's
// root filesystem is read-only); the overlay goes to the temporary directory.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const CHUNK_URL = "/_next/static/";
const TEXT_FILE = /\.(js|json|html|rsc|txt|meta|body)$/;
// Left out: build caches and traces, which the server never reads.
const SKIPPED = new Set(["cache", "trace", "trace-build", "diagnostics", "types", "turbopack"]);

function needsPatch(file) {
  return TEXT_FILE.test(file) && fs.readFileSync(file, "utf8").includes(CHUNK_URL);
}

/** True when some file below `dir` needs patching (so `dir` is recreated rather than linked). */
function containsPatch(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() ? containsPatch(full) : entry.isFile() && needsPatch(full)) return true;
  }
  return false;
}

function mirror(source, target, basePath, counts) {
  fs.mkdirSync(target, { recursive: true });
  for (const entry of fs.readdirSync(source, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name) && source.endsWith(".next")) continue;
    const from = path.join(source, entry.name);
    const to = path.join(target, entry.name);
    if (entry.isDirectory() && containsPatch(from)) mirror(from, to, basePath, counts);
    else if (entry.isFile() && needsPatch(from)) {
      fs.writeFileSync(to, fs.readFileSync(from, "utf8").replaceAll(CHUNK_URL, `${basePath}${CHUNK_URL}`));
      counts.patched++;
    } else fs.symlinkSync(from, to);
  }
}

/**
 * The directory Next should run from for this base path: the project root itself at the root path, else an
 * overlay (made once per build and base path, reused by later starts and by other servers of the same build).
 */
export function appDirForBasePath(root, basePath) {
  if (!basePath) return { dir: root, patched: 0 };
  const buildId = fs.readFileSync(path.join(root, ".next", "BUILD_ID"), "utf8").trim();
  const overlays = path.join(os.tmpdir(), "hive-dashboard-overlays");
  const dir = path.join(overlays, `${buildId}${basePath.replaceAll("/", "~")}`);
  const done = path.join(dir, ".complete");
  if (fs.existsSync(done)) return { dir, patched: Number(fs.readFileSync(done, "utf8")) };
  const draft = `${dir}.${process.pid}.draft`;
  fs.rmSync(draft, { recursive: true, force: true });
  const counts = { patched: 0 };
  mirror(path.join(root, ".next"), path.join(draft, ".next"), basePath, counts);
  fs.symlinkSync(path.join(root, "public"), path.join(draft, "public"));
  fs.writeFileSync(path.join(draft, ".complete"), String(counts.patched));
  try {
    fs.renameSync(draft, dir);
  } catch (error) {
    // Another server of this build made the same overlay first: use theirs.
    fs.rmSync(draft, { recursive: true, force: true });
    if (!fs.existsSync(done)) throw error;
  }
  return { dir, patched: counts.patched };
}
