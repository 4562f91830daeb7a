import "server-only";
import { AgentActionOutcome, AgentList, FleetTarget, NoInput } from "../../contracts/agent-tools";
import type { ContainerView } from "../../contracts/containers";
import { OwnAgentView } from "../../contracts/containers";
import { describeOwnAgent } from "../../services/agents/describe-own-agent";
import { killAgent } from "../../services/agents/kill-agent";
import { listAgentViews } from "../../services/agents/list-agent-views";
import { restartAgent } from "../../services/agents/restart-agent";
import { startAgent } from "../../services/agents/start-agent";
import { defineTool } from "../tool";

const FLEET_CARE =
  "Managers only, never on yourself (anyone else gets a forbidden error). Takes the agent's in-flight slot like an " +
  "operator's action: operators see the pill with your name, and a second action on the same agent meanwhile gets " +
  "action_in_flight. ";

function describeAgent(view: ContainerView): string {
  const desired = view.desiredState ? `, desired ${view.desiredState}` : "";
  const pending = view.pending ? `, ${view.pending.action} in progress by ${view.pending.startedBy}` : "";
  const crashes = view.crashLoopingSince ? ", crash-looping" : view.crashes.recent > 0 ? `, ${view.crashes.recent} recent crashes` : "";
  return `${view.name} (${view.role}): ${view.state}${desired}${pending}${crashes}`;
}

const describeAction = (verb: string) => (outcome: { agent: ContainerView | null }) =>
  outcome.agent ? `${verb}: ${describeAgent(outcome.agent)}` : `${verb}; the engine no longer reports the agent.`;

const fleetAudit = (action: string) => ({ action, target: (input: { name: string }) => input.name });

export const describeSelf = defineTool({
  name: "describe_self",
  title: "Describe yourself",
  description:
    "Your name, role (agent or manager), desired state (what the operator wants: running or stopped) and your " +
    "container as the dashboard sees it (observed state, any action in progress on you, recent crashes).",
  input: NoInput,
  output: OwnAgentView,
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  run: ({ ctx }) => describeOwnAgent({ ctx, input: { name: ctx.actor.agent } }),
  summary: (self) =>
    self.container
      ? `You are ${describeAgent(self.container)}.`
      : `You are ${self.agent} (${self.role}); desired ${self.desiredState ?? "not set"}; the engine is ${self.runtime} and shows no container for you.`,
});

export const listAgentsTool = defineTool({
  name: "list_agents",
  title: "List the agents",
  description:
    "Managers only. Every agent with its role, observed state, desired state, any action in progress (and who " +
    "started it) and recent crashes.",
  input: NoInput,
  output: AgentList,
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  run: async ({ ctx }) => ({ agents: await listAgentViews({ ctx, input: undefined }) }),
  summary: ({ agents }) => (agents.length === 0 ? "No agents." : agents.map(describeAgent).join("\n")),
});

export const startAgentTool = defineTool({
  name: "start_agent",
  title: "Start an agent",
  description: FLEET_CARE + "Starts a stopped agent (its desired state becomes running); starting a running agent changes nothing.",
  input: FleetTarget,
  output: AgentActionOutcome,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  audit: fleetAudit("agent.start"),
  run: async ({ ctx, input }) => ({ agent: await startAgent({ ctx, input: { name: input.name } }) }),
  summary: describeAction("Started"),
});

export const restartAgentTool = defineTool({
  name: "restart_agent",
  title: "Restart an agent",
  description: FLEET_CARE + "Stops the agent gracefully (SIGTERM, 10 s) and starts it again; its desired state becomes running.",
  input: FleetTarget,
  output: AgentActionOutcome,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  audit: fleetAudit("agent.restart"),
  run: async ({ ctx, input }) => ({ agent: await restartAgent({ ctx, input: { name: input.name } }) }),
  summary: describeAction("Restarted"),
});

export const killAgentTool = defineTool({
  name: "kill_agent",
  title: "Kill an agent",
  description:
    FLEET_CARE + "Kills the agent at once (SIGKILL: unsaved work is lost); its desired state becomes stopped, so it stays down until started.",
  input: FleetTarget,
  output: AgentActionOutcome,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  audit: fleetAudit("agent.kill"),
  run: async ({ ctx, input }) => ({ agent: await killAgent({ ctx, input: { name: input.name } }) }),
  summary: describeAction("Killed"),
});
