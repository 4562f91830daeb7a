import type { TestProject } from "vitest/node";
import { docker } from "./helpers/docker";
import { type PostgresCluster, startPostgres } from "./helpers/postgres";
import { removeRunTempDir } from "./helpers/run-tmp";
import { ensureTestImage } from "./helpers/test-image";

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
  await ensureTestImage();
  cluster = await startPostgres();
  project.provide("postgresAdminUrl", cluster.url());
  return () => {
    cluster?.destroy();
    removeRunTempDir();
  };
}
