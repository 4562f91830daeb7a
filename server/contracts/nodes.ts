import { z } from "./zod";

/** A machine agents run on, as the nodes strip shows it: the one host of a single engine, or a cluster's node. */
export const NodeView = z.object({
  name: z.string(),
  /** `engine`: a single engine, no cluster roles. */
  role: z.enum(["manager", "worker", "engine"]),
  availability: z.enum(["active", "pause", "drain"]),
  state: z.enum(["ready", "down", "unknown", "disconnected"]),
  /** Whether the dashboard reaches the node's own engine (volumes, signals, prompt crash news). */
  engineReachable: z.boolean(),
  engineProblem: z.string().nullable(),
  leader: z.boolean(),
  cpus: z.number(),
  memoryBytes: z.number(),
  /** This installation's agents placed there. */
  agents: z.number(),
});
export type NodeView = z.infer<typeof NodeView>;
