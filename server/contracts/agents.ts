import { z } from "./zod";
import { AgentName } from "./common";

/**
 * Where an agent stands, in words of no particular engine (how it reads is the page's business). `unreachable`: its
 * node cannot be reached, so nobody knows (not a crash; nothing is started in its place).
 */
export const ContainerState = z.enum(["created", "starting", "running", "paused", "stopping", "exited", "removing", "unreachable"]);

/** One agent as the dashboard shows it. */
export const AgentView = z.object({
  name: z.string(),
  /** The engine's id of what runs the agent (a container; a service on a cluster); changes when it is recreated. */
  containerId: z.string(),
  /** Its current (or last) run: every start is a new one. */
  runId: z.string().nullable(),
  /** The machine it runs (or last ran) on. */
  node: z.string(),
  image: z.string(),
  state: ContainerState,
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

export const AgentViewList = z.object({ agents: z.array(AgentView) });

// GET /api/agent-tokens?agent=, DELETE /api/agent-tokens/:id
export const AgentTokensQuery = z.strictObject({ agent: AgentName.optional() });
export const AgentTokenIdParams = z.object({ id: z.string().regex(/^tok_[A-Za-z0-9_-]{6,40}$/) });

/** A freshly minted token: the only answer that holds its secret. */
export const MintedAgentToken = z.object({
  id: z.string(),
  agent: z.string(),
  role: AgentTokenRole,
  createdAt: z.string(),
  token: z.string().describe("the bearer token; shown once, only its hash is kept"),
});
