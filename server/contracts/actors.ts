import { z } from "zod";

// Who is acting: shared by the HTTP layer (which resolves it), the services (which act for it) and the page.

export const OperatorActor = z.object({
  kind: z.literal("operator"),
  name: z.string(),
  via: z.enum(["session", "bearer", "proxy"]),
  sessionId: z.string().optional(),
  /** When the session ends by itself (its streams end then too). */
  expiresAt: z.date().optional(),
});
export type OperatorActor = z.infer<typeof OperatorActor>;

export const AgentActor = z.object({
  kind: z.literal("agent"),
  agent: z.string(),
  role: z.enum(["agent", "manager"]),
  tokenId: z.string(),
});
export type AgentActor = z.infer<typeof AgentActor>;

/** The dashboard acting on its own: recovery, reconcile, expiry, retention ("system:recovery"). */
export const SystemActor = z.object({ kind: z.literal("system"), name: z.string().regex(/^system:[a-z-]+$/) });
export type SystemActor = z.infer<typeof SystemActor>;

export type Actor = OperatorActor | AgentActor | SystemActor;

export const systemActor = (name: `system:${string}`): SystemActor => ({ kind: "system", name });

/** How an actor is written in events, audit rows and logs: "operator", "agent:alpha", "system:recovery". */
export const describeActor = (actor: Actor | null): string =>
  actor === null ? "anonymous" : actor.kind === "agent" ? `agent:${actor.agent}` : actor.name;
