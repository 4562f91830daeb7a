import { z } from "zod";

// The Docker driver's own settings, validated with the rest of the configuration when HIVE_RUNTIME=docker.

export const optional = (schema: z.ZodType<string>) => z.preprocess((value) => (value === "" ? undefined : value), schema.optional());

export const DOCKER_HOST_PATTERN = /^(unix:\/\/\/.+|tcp:\/\/[^/\s]+:\d+\/?|https?:\/\/[^/\s]+(:\d+)?\/?)$/;

export const DockerHost = z
  .string()
  .refine((value) => DOCKER_HOST_PATTERN.test(value), {
    error: "must look like unix:///var/run/docker.sock or tcp://host:2375",
  });

export const DockerEnv = z.object({
  DOCKER_HOST: optional(DockerHost),
  /**
   * Who restarts a crashed agent: `no` (the default), the dashboard, with backoff and crash-loop detection; `on-failure`
   * or `unless-stopped`, the engine itself (the crash watch then only records the crash).
   */
  HIVE_DOCKER_RESTART_POLICY: z.preprocess(
    (value) => (value === "" || value === undefined ? "no" : value),
    z.enum(["no", "on-failure", "unless-stopped"], { error: 'must be "no", "on-failure" or "unless-stopped"' }),
  ),
});

export type DockerSettings = { dockerHost: string; restartPolicy: "no" | "on-failure" | "unless-stopped" };

export function dockerSettings(env: z.infer<typeof DockerEnv>): DockerSettings {
  return { dockerHost: env.DOCKER_HOST ?? "unix:///var/run/docker.sock", restartPolicy: env.HIVE_DOCKER_RESTART_POLICY };
}
