// npm run image:build [-- --base <image>] [--tag <name:tag>]: builds the Dockerfile through the Docker Engine
// API's /build endpoint (a tar of the build context, no docker CLI). The base defaults to the image
// `npm run image:base` makes from Debian's packages (HIVE_IMAGE_BASE or --base names another, such as
// node:22-bookworm-slim where a registry is reachable). An image already built from the same sources and base is
// kept as it is. Prints the image id; the size goes to stderr.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import tar from "tar-stream";
import { buildBaseImage } from "./build-base-image.mjs";
import { dockerClient, followProgress, imageOrNull } from "./engine.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const log = (text) => process.stderr.write(`image:build: ${text}\n`);

function option(name) {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}

/** The build context: the project's files (git's view: tracked and new, not ignored) less .dockerignore's. */
export function contextFiles() {
  const ignored = fs
    .readFileSync(path.join(root, ".dockerignore"), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => line.replace(/^\//, ""));
  const matches = (file, pattern) =>
    pattern.startsWith("*.") ? file.endsWith(pattern.slice(1)) : file === pattern || file.startsWith(`${pattern}/`);
  const listed = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { cwd: root, encoding: "utf8" })
    .split("\0")
    .filter(Boolean);
  // The engine needs the Dockerfile in the context even when .dockerignore keeps it out of COPY (it reads
  // .dockerignore from the context for that).
  const kept = (file) => ["Dockerfile", ".dockerignore"].includes(file) || !ignored.some((pattern) => matches(file, pattern));
  return listed.filter((file) => fs.existsSync(path.join(root, file)) && kept(file)).sort();
}

/** A hash of the context (names, modes, contents) and the base: equal hashes build equal images. */
export function sourceHash(files, base) {
  const hash = createHash("sha256").update(`base:${base}\n`);
  for (const file of files) {
    const full = path.join(root, file);
    hash.update(`${file}\0${fs.statSync(full).mode & 0o111 ? "x" : "-"}\0`).update(fs.readFileSync(full)).update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

function contextTar(files) {
  const pack = tar.pack();
  for (const file of files) {
    const full = path.join(root, file);
    pack.entry({ name: file, mode: fs.statSync(full).mode & 0o777, mtime: new Date(0) }, fs.readFileSync(full));
  }
  pack.finalize();
  return pack;
}

/** Locally trusted CA certificates (Debian keeps them here): the build's npm must trust what this machine does. */
function localCaCertificates() {
  const dir = process.env.HIVE_BUILD_CA_DIR ?? "/usr/local/share/ca-certificates";
  if (!fs.existsSync(dir)) return "";
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith(".crt"))
    .map((name) => fs.readFileSync(path.join(dir, name), "utf8").trim())
    .join("\n");
}

export async function buildImage({ base, tag = "hive-dashboard:latest", quiet = false } = {}) {
  const docker = dockerClient();
  const baseId = base ?? process.env.HIVE_IMAGE_BASE ?? (await buildBaseImage());
  const files = contextFiles();
  const source = sourceHash(files, baseId);
  const existing = await imageOrNull(docker, tag);
  if (existing?.Config?.Labels?.["hive.image.source"] === source) {
    log(`${tag} is up to date with these sources (${existing.Id.slice(7, 19)}, ${(existing.Size / 1e6).toFixed(0)} MB)`);
    return existing.Id;
  }
  const started = Date.now();
  const version = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version;
  const ca = localCaCertificates();
  log(`building ${tag} from ${files.length} files on ${baseId.slice(0, 19)}${ca ? " (with this machine's local CA certificates for npm)" : ""}`);
  const stream = await docker.buildImage(contextTar(files), {
    t: [tag, tag.replace(/:[^:/]+$/, `:${version}`)],
    buildargs: { BASE: baseId, EXTRA_CA_CERTS: ca },
    labels: { "hive.image.source": source, "org.opencontainers.image.title": "hive-dashboard", "org.opencontainers.image.version": version },
    // The build's RUN steps reach npm and Debian's mirror the way this machine does.
    networkmode: "host",
    rm: true,
    forcerm: true,
  });
  const id = await followProgress(stream, (text) => {
    if (!quiet) process.stderr.write(text);
    else if (/^Step \d+\/\d+/.test(text)) process.stderr.write(`${text.trimEnd()}\n`);
  });
  const image = await docker.getImage(tag).inspect();
  log(`built ${tag} ${image.Id.slice(7, 19)} in ${((Date.now() - started) / 1000).toFixed(0)} s: ${(image.Size / 1e6).toFixed(0)} MB`);
  return id ?? image.Id;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildImage({ base: option("base"), tag: option("tag"), quiet: process.argv.includes("--quiet") }).then(
    (id) => process.stdout.write(`${id}\n`),
    (error) => {
      log(`failed: ${error.message}`);
      process.exit(1);
    },
  );
}
