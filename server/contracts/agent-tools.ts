import { z } from "./zod";
import { ApprovalId, ApprovalView } from "./approvals";
import { AgentName } from "./common";
import { ContainerView } from "./containers";
import { AgentEventView, AskQuestionInput, QuestionId, QuestionStatus } from "./questions";

// Inputs and answers of the agents' MCP tools that are not already a REST route's contract.

/** The most a tool call waits: MCP clients often give up on a request after 60 s. */
export const TOOL_WAIT_MAX_SECONDS = 50;

const waitSeconds = (fallback: number, what: string) =>
  z
    .number()
    .int()
    .min(0)
    .max(TOOL_WAIT_MAX_SECONDS, { error: `must be at most ${TOOL_WAIT_MAX_SECONDS}` })
    .default(fallback)
    .describe(`${what}, 0 to ${TOOL_WAIT_MAX_SECONDS} seconds (default ${fallback})`);

/** The REST route's question, plus how long the call waits for its answer. */
export const AskOperatorInput = AskQuestionInput.safeExtend({
  wait_seconds: waitSeconds(TOOL_WAIT_MAX_SECONDS, 'how long to wait for the answer before returning "pending"'),
});

/** Where an agent's question stands: the answer, or still pending with its id to wait on. */
export const QuestionOutcome = z.object({
  question_id: z.string().describe("the question's id: give it to wait_for_answer or retract_question"),
  status: QuestionStatus.describe('"pending" (no answer yet), "answered", "expired", "cancelled" (by the operator) or "retracted"'),
  answer: z.string().nullable().describe('the answer text (chosen options and free text joined with ", "); null while pending'),
  answered_by: z.string().nullable(),
  deadline_at: z.string().nullable().describe("when the question expires unanswered (ISO 8601), if it has a TTL"),
  resolved_at: z.string().nullable(),
});
export type QuestionOutcome = z.infer<typeof QuestionOutcome>;

export const WaitForAnswerInput = z.strictObject({
  question_id: QuestionId.describe("the id ask_operator returned"),
  timeout_seconds: waitSeconds(TOOL_WAIT_MAX_SECONDS, "how long to wait for the answer"),
});

export const RetractQuestionInput = z.strictObject({ question_id: QuestionId.describe("the id of your pending question") });

export const ReadInboxInput = z.strictObject({
  after: z.number().int().min(0).default(0).describe("read events after this id: the `next` of your previous read (0 from the start)"),
  wait_seconds: waitSeconds(0, "when nothing is there yet, how long to wait for the first event"),
});

export const InboxPage = z.object({
  events: z.array(AgentEventView),
  next: z.number().describe("the last event id read: pass it as `after` next time, and as `up_to` to ack_inbox"),
});

export const AckInboxInput = z.strictObject({
  up_to: z.number({ error: "must be an event id" }).int().min(0).describe("acknowledge every event up to and including this id"),
});
export const AckOutcome = z.object({ acknowledged: z.number(), up_to: z.number() });

export const ApprovalStatusInput = z.strictObject({ id: ApprovalId.describe("the id request_spawn or request_config_change returned") });

export const NoInput = z.strictObject({});

export const FleetTarget = z.strictObject({ name: AgentName.describe("the agent to act on (not yourself)") });

export const AgentList = z.object({ agents: z.array(ContainerView) });

/** A lifecycle action's answer: the agent as the page shows it after the action (null if the engine lost sight of it). */
export const AgentActionOutcome = z.object({ agent: ContainerView.nullable() });

export { ApprovalView };
