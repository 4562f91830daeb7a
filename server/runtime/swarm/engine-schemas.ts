import "server-only";
import { z } from "zod";

// What a Swarm manager answers about services, tasks and nodes, validated before use: only the fields we read.

const Labels = z.record(z.string(), z.string()).nullish().transform((value) => value ?? {});

export const ServiceSpec = z.looseObject({
  Name: z.string(),
  Labels,
  TaskTemplate: z.looseObject({
    ContainerSpec: z.looseObject({
      Image: z.string(),
      Labels,
      Args: z.array(z.string()).nullish(),
      Env: z.array(z.string()).nullish(),
    }),
    Resources: z.looseObject({ Limits: z.looseObject({ NanoCPUs: z.number().nullish(), MemoryBytes: z.number().nullish() }).nullish() }).nullish(),
    Placement: z.looseObject({ Constraints: z.array(z.string()).nullish() }).nullish(),
    ForceUpdate: z.number().nullish(),
  }),
  Mode: z.looseObject({ Replicated: z.looseObject({ Replicas: z.number().nullish() }).nullish() }),
});
export type ServiceSpec = z.infer<typeof ServiceSpec>;

export const Service = z.object({
  ID: z.string(),
  Version: z.object({ Index: z.number() }),
  CreatedAt: z.string(),
  UpdatedAt: z.string().nullish(),
  Spec: ServiceSpec,
});
export type Service = z.infer<typeof Service>;
export const ServiceList = z.array(Service);

/** Task states in Swarm's order: everything after `running` is over. */
export const TASK_STATES = ["new", "allocated", "pending", "assigned", "accepted", "preparing", "ready", "starting", "running", "complete", "shutdown", "failed", "rejected", "remove", "orphaned"] as const;

export const Task = z.object({
  ID: z.string(),
  ServiceID: z.string(),
  Slot: z.number().nullish(),
  NodeID: z.string().nullish(),
  CreatedAt: z.string(),
  DesiredState: z.string(),
  Status: z.object({
    Timestamp: z.string(),
    State: z.string(),
    Err: z.string().nullish(),
    ContainerStatus: z.object({ ContainerID: z.string().nullish(), ExitCode: z.number().nullish() }).nullish(),
  }),
});
export type Task = z.infer<typeof Task>;
export const TaskList = z.array(Task);

export const SwarmNode = z.object({
  ID: z.string(),
  Spec: z.object({ Role: z.string(), Availability: z.string() }),
  Description: z.object({
    Hostname: z.string(),
    Resources: z.object({ NanoCPUs: z.number().default(0), MemoryBytes: z.number().default(0) }).default({ NanoCPUs: 0, MemoryBytes: 0 }),
  }),
  Status: z.object({ State: z.string(), Addr: z.string().nullish() }),
  ManagerStatus: z.object({ Leader: z.boolean().nullish() }).nullish(),
});
export type SwarmNode = z.infer<typeof SwarmNode>;
export const SwarmNodeList = z.array(SwarmNode);

/** An engine's own word on its swarm membership (/info): which node it is. */
export const EngineSwarmInfo = z.object({
  Name: z.string(),
  Swarm: z.object({ NodeID: z.string().default(""), LocalNodeState: z.string().default("inactive"), ControlAvailable: z.boolean().default(false) }),
});
