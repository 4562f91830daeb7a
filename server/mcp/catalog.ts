import "server-only";
import { approvalStatus, requestConfigChange, requestSpawn } from "./tools/approvals";
import { describeSelf, killAgentTool, listAgentsTool, restartAgentTool, startAgentTool } from "./tools/fleet";
import { ackInbox, readInboxTool } from "./tools/inbox";
import { askOperator, retractQuestionTool, waitForAnswer } from "./tools/questions";

/** Every tool of the agents' MCP surface, in the order tools/list gives them. */
export const AGENT_TOOLS = [
  askOperator,
  waitForAnswer,
  retractQuestionTool,
  readInboxTool,
  ackInbox,
  requestSpawn,
  requestConfigChange,
  approvalStatus,
  describeSelf,
  listAgentsTool,
  startAgentTool,
  restartAgentTool,
  killAgentTool,
];

/** What the server tells a client at initialize: how the tools fit together. */
export const AGENT_INSTRUCTIONS =
  "Tools of the Hive dashboard for the agent this token belongs to. Ask the human operator with ask_operator; when " +
  'it answers status "pending", keep waiting with wait_for_answer (never ask the same question twice). Your inbox ' +
  "(read_inbox, ack_inbox) brings answers, approval decisions and notes that you were restarted. Managers request " +
  "new agents and config changes (request_spawn, request_config_change: the operator approves them) and look after " +
  "the fleet (list_agents, start_agent, restart_agent, kill_agent; never themselves). Errors name a code such as " +
  "forbidden, question_not_found or action_in_flight, and a message saying what to do.";
