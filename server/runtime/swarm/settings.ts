import { z } from "zod";
import { DOCKER_HOST_PATTERN, DockerHost, optional } from "../docker/settings";

// The Swarm driver's own settings, validated with the rest of the configuration when HIVE_RUNTIME=swarm.

const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

/**
 * `node=endpoint` pairs, comma-separated: the engine of each node (by its name in the swarm, the host name), for what
 * only a node's own engine does: state volumes (create, list, size, purge, move), signals (kill, stop) and prompt
 * news of an agent's exit. The manager DOCKER_HOST names needs no entry.
 */
const NodeEndpoints = z.preprocess(
  (value) => (value === undefined ? "" : value),
  z.string().transform((text, ctx) => {
    const endpoints: Record<string, string> = {};
    const entries = text.split(",").map((entry) => entry.trim()).filter(Boolean);
    entries.forEach((entry, index) => {
      const eq = entry.indexOf("=");
      const node = eq < 0 ? "" : entry.slice(0, eq).trim();
      const endpoint = eq < 0 ? "" : entry.slice(eq + 1).trim();
      if (!NODE_NAME.test(node) || !DOCKER_HOST_PATTERN.test(endpoint)) {
        ctx.addIssue({
          code: "custom",
          message: `entry ${index + 1} ("${entry.slice(0, 80)}") must be node=endpoint, the endpoint like unix:///run/node2.sock or tcp://10.0.0.2:2375`,
        });
      } else if (endpoints[node] !== undefined) {
        ctx.addIssue({ code: "custom", message: `node ${node} is named twice` });
      } else endpoints[node] = endpoint;
    });
    return endpoints;
  }),
);

export const SwarmEnv = z.object({
  /** A manager of the swarm. */
  DOCKER_HOST: optional(DockerHost),
  HIVE_SWARM_NODE_ENDPOINTS: NodeEndpoints,
});

export type SwarmSettings = { dockerHost: string; nodeEndpoints: Record<string, string> };

export function swarmSettings(env: z.infer<typeof SwarmEnv>): SwarmSettings {
  return { dockerHost: env.DOCKER_HOST ?? "unix:///var/run/docker.sock", nodeEndpoints: env.HIVE_SWARM_NODE_ENDPOINTS };
}
