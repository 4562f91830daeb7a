import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import type { TestProject } from "vitest/node";
import { docker, TEST_IMAGE } from "./helpers/docker";
import { type PostgresCluster, startPostgres } from "./helpers/postgres";

declare module "vitest" {
  export interface ProvidedContext {
    postgresAdminUrl: string;
  }
}

let cluster: PostgresCluster | undefined;

/** Real components or nothing: a missing engine, image or PostgreSQL fails the run instead of skipping. */
export default async function setup(project: TestProject) {
  try {
    await docker.ping();
  } catch (error) {
    throw new Error(`the Docker engine is not reachable (${(error as Error).message}); start dockerd first`);
  }
  const image = await docker.getImage(TEST_IMAGE).inspect().catch(() => null);
  const script = createHash("sha256").update(fs.readFileSync("test-agent/agent.sh")).digest("hex");
  // Missing, or built from another version of agent.sh (the tests rely on its current switches).
  if (!image || image.Config?.Labels?.["hive.test-agent.sha256"] !== script) {
    const build = spawnSync("bash", ["scripts/build-test-agent.sh"], { encoding: "utf8" });
    if (build.status !== 0) throw new Error(`building ${TEST_IMAGE} failed: ${build.stderr}`);
  }
  cluster = await startPostgres();
  project.provide("postgresAdminUrl", cluster.url());
  return () => cluster?.destroy();
}
