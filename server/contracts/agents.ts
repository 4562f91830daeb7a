import { z } from "zod";
import { AgentName } from "./common";

export const ContainerState = z.enum(["created", "running", "paused", "restarting", "removing", "exited", "dead"]);

/** One agent container as the dashboard shows it. */
export const AgentView = z.object({
  name: z.string(),
  containerId: z.string(),
  image: z.string(),
  state: ContainerState,
  status: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  exitCode: z.number().nullable(),
  oomKilled: z.boolean(),
});
export type AgentView = z.infer<typeof AgentView>;

export const AgentTokenRole = z.enum(["agent", "manager"]);
export const MintAgentTokenInput = z.strictObject({
  agent: AgentName,
  role: AgentTokenRole.default("agent"),
});
export type MintAgentTokenInput = z.infer<typeof MintAgentTokenInput>;

export const AgentTokenView = z.object({
  id: z.string(),
  agent: z.string(),
  role: AgentTokenRole,
  createdAt: z.string(),
  createdBy: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type AgentTokenView = z.infer<typeof AgentTokenView>;
