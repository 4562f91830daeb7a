import "server-only";
import { z } from "zod";
import { AgentName } from "../../../contracts/common";
import { StopAgentInput } from "../../../contracts/containers";

/** The agent a lifecycle verb acts on. */
export const AgentTarget = z.object({ name: AgentName });
export type AgentTarget = z.infer<typeof AgentTarget>;

/** Stop and restart also take how long the agent gets to exit after SIGTERM. */
export const GracefulAgentTarget = AgentTarget.extend(StopAgentInput.shape);
export type GracefulAgentTarget = z.infer<typeof GracefulAgentTarget>;
