import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Docker from "dockerode";

const ROOT = path.resolve(__dirname, "../..");
const IMAGE = "hive-test-agent:latest";
const engine = new Docker({ socketPath: (process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock").replace(/^unix:\/\//, "") });

/**
 * Builds the test agent image when it is missing or was built from another version of test-agent/agent.sh (the
 * image is shared by every checkout on this engine; a build from an older script lacks the switches tests use).
 */
export async function ensureTestImage(): Promise<void> {
  const script = scriptHash();
  const image = await engine.getImage(IMAGE).inspect().catch(() => null);
  const scriptImage = await engine.getImage(testImageOfThisScript()).inspect().catch(() => null);
  if (image?.Config?.Labels?.["hive.test-agent.sha256"] === script && scriptImage) return;
  const build = spawnSync("bash", ["scripts/build-test-agent.sh"], { cwd: ROOT, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`building ${IMAGE} failed: ${build.stderr}`);
}

const scriptHash = () => createHash("sha256").update(fs.readFileSync(path.join(ROOT, "test-agent", "agent.sh"))).digest("hex");

/**
 * The test agent image built from this checkout's agent.sh, by a tag no other checkout moves (they retag :latest
 * with their own script): for tests of switches that older scripts lack.
 */
export const testImageOfThisScript = () => `hive-test-agent:script-${scriptHash().slice(0, 16)}`;
