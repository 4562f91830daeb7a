import { z } from "zod";

/** Agent names: lowercase letters, digits and inner hyphens, starting with a letter, at most 40 characters. */
export const AGENT_NAME_PATTERN = /^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

export const AgentName = z
  .string()
  .regex(AGENT_NAME_PATTERN, {
    error: "must be 1-40 lowercase letters, digits or inner hyphens, starting with a letter",
  });
export type AgentName = z.infer<typeof AgentName>;

export type ApiError = { error: { code: string; message: string; issues?: { path: string; message: string }[] } };
