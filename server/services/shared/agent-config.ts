import "server-only";
import type { AgentConfigInput, ProposedConfigInput } from "../../contracts/containers";
import type { AgentConfig } from "../../db/schema";
import { HiveError } from "../../errors";

/**
 * The stored form of a config given at spawn or proposed for an existing agent: env as plain values plus the
 * names of the secret ones. `{ keep: true }` takes the agent's current value (and its secrecy) from `current`.
 */
export function toStoredConfig(input: ProposedConfigInput, current: AgentConfig | null = null): AgentConfig {
  const env: Record<string, string> = {};
  const secretEnv: string[] = [];
  for (const [key, entry] of Object.entries(input.env ?? {})) {
    if (typeof entry === "string") {
      env[key] = entry;
    } else if ("keep" in entry) {
      const kept = current?.env[key];
      if (kept === undefined) throw new HiveError("invalid_request", `env.${key}: there is no current value to keep`);
      env[key] = kept;
      if (current?.secretEnv?.includes(key)) secretEnv.push(key);
    } else {
      env[key] = entry.value;
      if (entry.secret) secretEnv.push(key);
    }
  }
  const config: AgentConfig = { image: input.image, env };
  if (input.cmd !== undefined) config.cmd = input.cmd;
  if (secretEnv.length) config.secretEnv = secretEnv.sort();
  if (input.memoryMb !== undefined) config.memoryMb = input.memoryMb;
  if (input.cpus !== undefined) config.cpus = input.cpus;
  if (input.network !== undefined) config.network = input.network;
  return config;
}

/** A stored config as spawn input again (revive, an approved spawn): secret entries stay marked secret. */
export function toConfigInput(config: AgentConfig): AgentConfigInput {
  const secret = new Set(config.secretEnv ?? []);
  const env = Object.fromEntries(
    Object.entries(config.env ?? {}).map(([key, value]) => [key, secret.has(key) ? { value, secret: true } : value]),
  );
  const { secretEnv: _secretEnv, ...rest } = config;
  return { ...rest, env };
}
