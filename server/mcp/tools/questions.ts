import "server-only";
import type { CallContext } from "../../context";
import type { AgentActor } from "../../contracts/actors";
import { AskOperatorInput, QuestionOutcome, RetractQuestionInput, TOOL_WAIT_MAX_SECONDS, WaitForAnswerInput } from "../../contracts/agent-tools";
import type { AgentQuestionView } from "../../contracts/questions";
import { askQuestion } from "../../services/questions/ask-question";
import { readOwnQuestion } from "../../services/questions/read-own-question";
import { retractQuestion } from "../../services/questions/retract-question";
import { defineTool, type ToolCall } from "../tool";

/** How often a waiting call tells a client that asked for progress that it is still waiting. */
const PROGRESS_EVERY_SECONDS = 10;

const toOutcome = (view: AgentQuestionView): QuestionOutcome => ({
  question_id: view.id,
  status: view.status,
  answer: view.answer,
  answered_by: view.answered_by,
  deadline_at: view.deadline_at,
  resolved_at: view.resolved_at,
});

/** Waits for the question's resolution (woken by it, not polling), telling the client every ~10 s that it still waits. */
async function awaitOutcome(ctx: CallContext<AgentActor>, id: string, seconds: number, progress: ToolCall<unknown>["progress"]) {
  const started = Date.now();
  const deadline = started + seconds * 1000;
  for (;;) {
    const slice = Math.max(0, Math.min(deadline - Date.now(), PROGRESS_EVERY_SECONDS * 1000));
    const view = await readOwnQuestion({ ctx, input: { id, waitSeconds: slice / 1000 } });
    if (view.status !== "pending" || Date.now() >= deadline || ctx.signal.aborted || ctx.shutdownSignal.aborted) return toOutcome(view);
    const waited = Math.round((Date.now() - started) / 1000);
    await progress(waited, seconds, `waiting for the operator's answer (${waited} s of ${seconds} s)`);
  }
}

function describeOutcome(outcome: QuestionOutcome): string {
  const { question_id: id, answer } = outcome;
  switch (outcome.status) {
    case "answered":
      return `The operator answered: ${answer}`;
    case "cancelled":
      return "The operator cancelled this question without answering. Decide without it, or ask again differently.";
    case "expired":
      return "The question expired before anyone answered it. Decide without it, or ask again.";
    case "retracted":
      return "The question is retracted: the operator no longer sees it.";
    case "pending":
      return (
        `No answer yet; the question stays open${outcome.deadline_at ? ` until ${outcome.deadline_at}` : ""}. ` +
        `Call wait_for_answer with question_id "${id}" to keep waiting, or retract_question if you no longer need it.`
      );
  }
}

export const askOperator = defineTool({
  name: "ask_operator",
  title: "Ask the operator",
  description:
    `Ask the human operator a question on the dashboard and wait for the answer (up to ${TOOL_WAIT_MAX_SECONDS} seconds, wait_seconds). ` +
    "Offer `options` when the answer is a choice (`multi: true` lets the operator pick several); the operator may " +
    "always type a free answer instead. `ttl_seconds` makes the question expire unanswered after that long. " +
    'Returns the answer, or status "pending" with a question_id: then call wait_for_answer with that id (repeat as ' +
    "needed) instead of asking again. The operator may also cancel the question. Pass the same idempotency_key when " +
    "retrying a call that failed, so the operator sees the question once.",
  input: AskOperatorInput,
  output: QuestionOutcome,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  audit: { action: "question.ask", target: (_, actor) => actor.agent, detail: (outcome) => ({ questionId: outcome.question_id }) },
  async run({ ctx, input, progress }) {
    const { wait_seconds: _wait, ...question } = input;
    const asked = await askQuestion({ ctx, input: question });
    return awaitOutcome(ctx, asked.id, 0, progress);
  },
  thenWait: ({ ctx, input, output, progress }) =>
    output.status === "pending" ? awaitOutcome(ctx, output.question_id, input.wait_seconds, progress) : Promise.resolve(output),
  summary: describeOutcome,
});

export const waitForAnswer = defineTool({
  name: "wait_for_answer",
  title: "Wait for the operator's answer",
  description:
    `Wait up to timeout_seconds (at most ${TOOL_WAIT_MAX_SECONDS}, the default) for the answer to a question you asked ` +
    'with ask_operator; returns at once when it is already resolved. Status "pending" means no answer yet: call again.',
  input: WaitForAnswerInput,
  output: QuestionOutcome,
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  run: ({ ctx, input, progress }) => awaitOutcome(ctx, input.question_id, input.timeout_seconds, progress),
  summary: describeOutcome,
});

export const retractQuestionTool = defineTool({
  name: "retract_question",
  title: "Retract a question",
  description:
    "Withdraw a pending question you asked (you no longer need the answer); the operator's card disappears and the " +
    "answer becomes [retracted]. Fails with question_resolved, naming the answer, if the operator answered first.",
  input: RetractQuestionInput,
  output: QuestionOutcome,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  audit: { action: "question.retract", target: (_, actor) => actor.agent, detail: (outcome) => ({ questionId: outcome.question_id }) },
  run: async ({ ctx, input }) => toOutcome(await retractQuestion({ ctx, input: { id: input.question_id } })),
  summary: describeOutcome,
});
