import { z } from "./zod";

export const QuestionStatus = z.enum(["pending", "answered", "expired", "cancelled", "retracted"]);
export const QuestionId = z.string().regex(/^q_[A-Za-z0-9_-]{8,40}$/, { error: "not a question id" });
export const QuestionIdParams = z.object({ id: QuestionId });

export const AskQuestionInput = z
  .strictObject({
    question: z
      .string()
      .trim()
      .min(1, { error: "must not be empty" })
      .max(4000, { error: "must be at most 4000 characters" })
      .describe("the question, as the operator will read it"),
    options: z
      .array(z.string().trim().min(1, { error: "options must not be empty" }).max(200, { error: "options must be at most 200 characters" }))
      .max(20, { error: "at most 20 options" })
      .refine((options) => new Set(options).size === options.length, { error: "options must be distinct" })
      .optional()
      .describe("answers to choose from (the operator may still type their own)"),
    multi: z.boolean().optional().describe("let the operator choose several options (needs options)"),
    ttl_seconds: z
      .number({ error: "must be a number of seconds" })
      .int({ error: "must be a whole number of seconds" })
      .min(10, { error: "must be at least 10 seconds" })
      .max(86_400, { error: "must be at most 86400 seconds (a day)" })
      .optional()
      .describe("the question expires unanswered after this many seconds (10 to 86400); none: it waits for the operator"),
    idempotency_key: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[\x21-\x7e]+$/, { error: "printable ASCII without spaces" })
      .optional()
      .describe("the same key on a retried request returns the first question instead of asking twice"),
  })
  .refine((input) => !input.multi || (input.options?.length ?? 0) > 0, { error: "multi needs options", path: ["multi"] });
export type AskQuestionInput = z.infer<typeof AskQuestionInput>;

export const WaitQuery = z.strictObject({
  wait_seconds: z.coerce.number({ error: "must be a number" }).int().min(0).max(180, { error: "must be at most 180" }).default(0),
});

export const AnswerQuestionInput = z
  .strictObject({
    choices: z.array(z.string().min(1).max(200)).max(20).optional(),
    text: z.string().max(4000, { error: "must be at most 4000 characters" }).optional(),
  })
  .refine((input) => (input.choices?.length ?? 0) > 0 || (input.text?.trim().length ?? 0) > 0, {
    error: "choose an option or type an answer",
  });
export type AnswerQuestionInput = z.infer<typeof AnswerQuestionInput>;

/** What an agent reads about its own question. */
export const AgentQuestionView = z.object({
  id: z.string(),
  question: z.string(),
  options: z.array(z.string()).nullable(),
  multi: z.boolean(),
  status: QuestionStatus,
  answer: z.string().nullable(),
  answered_by: z.string().nullable(),
  created_at: z.string(),
  deadline_at: z.string().nullable(),
  resolved_at: z.string().nullable(),
});
export type AgentQuestionView = z.infer<typeof AgentQuestionView>;

/** What the operator's page shows. */
export const QuestionView = z.object({
  id: z.string(),
  agent: z.string(),
  question: z.string(),
  options: z.array(z.string()).nullable(),
  multi: z.boolean(),
  status: QuestionStatus,
  createdAt: z.string(),
  deadlineAt: z.string().nullable(),
  answer: z.string().nullable(),
  answeredBy: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  /** For resolved questions: whether the agent acknowledged receiving the answer. */
  received: z.boolean().nullable(),
});
export type QuestionView = z.infer<typeof QuestionView>;

export const InboxQuery = z.strictObject({
  after: z.coerce.number({ error: "must be an event id" }).int().min(0).default(0),
  wait_seconds: z.coerce.number({ error: "must be a number" }).int().min(0).max(180, { error: "must be at most 180" }).default(0),
});

export const AckInput = z.strictObject({ up_to: z.number({ error: "must be an event id" }).int().min(0) });

export const AgentEventView = z.object({ id: z.number(), kind: z.string(), payload: z.record(z.string(), z.unknown()), created_at: z.string() });
export type AgentEventView = z.infer<typeof AgentEventView>;

// POST /api/agent/questions: 201 asked (200: the same idempotency key asked before).
export const AskedQuestion = z.object({ id: z.string(), deadline_at: z.string().nullable() });

// POST /api/questions/:id/answer and /cancel
export const QuestionAnswer = z.object({ question: QuestionView });

// GET /api/agent/events?after= (or Last-Event-ID)
export const EventId = z.coerce.number().int().min(0);
export const AgentEventsQuery = z.strictObject({ after: EventId.optional() });
