import { z } from "zod";
import { AgentView } from "./agents";
import { RuntimeSnapshot } from "./health";

/** Everything the dashboard page renders, in one response. */
export const DashboardState = z.object({
  serverTime: z.string(),
  version: z.string(),
  operator: z.string(),
  authMode: z.enum(["token", "proxy"]),
  runtime: RuntimeSnapshot,
  /** null while the engine is not reachable: the page says so rather than showing an empty fleet. */
  agents: z.array(AgentView).nullable(),
  agentsError: z.string().nullable(),
});
export type DashboardState = z.infer<typeof DashboardState>;
