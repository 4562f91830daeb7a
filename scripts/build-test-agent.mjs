// Imports a FROM-scratch rootfs (static busybox + the agent script) as hive-test-agent:latest via the
// Engine API's image import (POST /images/create?fromSrc=-). Prints the image id.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Docker from "dockerode";
import tar from "tar-stream";

const busybox = process.env.HIVE_BUSYBOX || "/bin/busybox";
const repo = "hive-test-agent";
const tag = "latest";

function fail(message) {
  process.stderr.write(`build-test-agent: ${message}\n`);
  process.exit(1);
}

function dockerOptions() {
  const host = process.env.DOCKER_HOST;
  if (!host) return { socketPath: "/var/run/docker.sock" };
  if (host.startsWith("unix://")) return { socketPath: host.slice("unix://".length) };
  const url = new URL(host.replace(/^tcp:/, "http:"));
  return { host: url.hostname, port: Number(url.port || 2375) };
}

if (!fs.existsSync(busybox)) fail(`${busybox} not found: install Debian's busybox-static (apt-get install -y busybox-static)`);
const elf = fs.readFileSync(busybox);
if (elf.includes(Buffer.from("/lib64/ld-linux")) || elf.includes(Buffer.from("/lib/ld-linux"))) {
  fail(`${busybox} is dynamically linked; a FROM-scratch image needs Debian's busybox-static`);
}

const applets = execFileSync(busybox, ["--list"], { encoding: "utf8" }).split("\n").filter(Boolean);
const agentScript = fs.readFileSync(path.join("test-agent", "agent.sh"));

const pack = tar.pack();
const mtime = new Date(0);
for (const dir of ["bin", "state", "tmp", "etc", "proc", "sys", "dev"]) {
  pack.entry({ name: `${dir}/`, type: "directory", mode: dir === "tmp" ? 0o1777 : 0o755, mtime });
}
pack.entry({ name: "bin/busybox", mode: 0o755, mtime }, elf);
for (const applet of applets) {
  if (applet !== "busybox") pack.entry({ name: `bin/${applet}`, type: "symlink", linkname: "busybox", mtime });
}
pack.entry({ name: "etc/passwd", mode: 0o644, mtime }, "root:x:0:0:root:/:/bin/sh\n");
pack.entry({ name: "etc/group", mode: 0o644, mtime }, "root:x:0:\n");
pack.entry({ name: "agent.sh", mode: 0o755, mtime }, agentScript);
pack.finalize();

const docker = new Docker(dockerOptions());
const changes = [
  'ENTRYPOINT ["/bin/sh", "/agent.sh"]',
  "ENV PATH=/bin",
  "ENV HIVE_STATE_DIR=/state",
  "LABEL org.opencontainers.image.title=hive-test-agent",
  // Test setups rebuild the image when agent.sh changed since it was built.
  `LABEL hive.test-agent.sha256=${createHash("sha256").update(agentScript).digest("hex")}`,
];
let stream;
try {
  stream = await docker.importImage(pack, { repo, tag, changes });
} catch (error) {
  fail(`cannot reach the Docker engine: ${error.message}`);
}
const output = await new Promise((resolve, reject) => {
  let text = "";
  stream.on("data", (chunk) => (text += chunk.toString()));
  stream.on("end", () => resolve(text));
  stream.on("error", reject);
});
const lines = String(output)
  .split("\n")
  .filter(Boolean)
  .map((line) => JSON.parse(line));
const failure = lines.find((line) => line.error || line.errorDetail);
if (failure) fail(`the engine refused the import: ${failure.error ?? failure.errorDetail?.message}`);
const image = await docker.getImage(`${repo}:${tag}`).inspect();
// Also tagged by the script it holds: checkouts sharing this engine retag :latest with their own script, so a test
// that needs this script's switches names this tag instead.
const scriptTag = `script-${createHash("sha256").update(agentScript).digest("hex").slice(0, 16)}`;
await docker.getImage(image.Id).tag({ repo, tag: scriptTag });
process.stdout.write(`${repo}:${tag} ${repo}:${scriptTag} ${image.Id}\n`);
