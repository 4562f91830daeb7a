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
  const script = createHash("sha256").update(fs.readFileSync(path.join(ROOT, "test-agent", "agent.sh"))).digest("hex");
  const image = await engine.getImage(IMAGE).inspect().catch(() => null);
  if (image?.Config?.Labels?.["hive.test-agent.sha256"] === script) return;
  const build = spawnSync("bash", ["scripts/build-test-agent.sh"], { cwd: ROOT, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`building ${IMAGE} failed: ${build.stderr}`);
}
