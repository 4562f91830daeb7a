CREATE TABLE "agent_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"agent" text NOT NULL,
	"kind" text NOT NULL,
	"payload" jsonb NOT NULL,
	"ref" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "questions" (
	"id" text PRIMARY KEY NOT NULL,
	"agent" text NOT NULL,
	"question" text NOT NULL,
	"options" jsonb,
	"multi" boolean DEFAULT false NOT NULL,
	"idempotency_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deadline_at" timestamp with time zone,
	"status" text DEFAULT 'pending' NOT NULL,
	"answer" text,
	"answered_by" text,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "agent_events_agent_idx" ON "agent_events" USING btree ("agent","id");--> statement-breakpoint
CREATE UNIQUE INDEX "agent_events_answer_once_idx" ON "agent_events" USING btree ("ref") WHERE "agent_events"."kind" = 'operator_answered';--> statement-breakpoint
CREATE UNIQUE INDEX "questions_idempotency_idx" ON "questions" USING btree ("agent","idempotency_key");--> statement-breakpoint
CREATE INDEX "questions_pending_deadline_idx" ON "questions" USING btree ("deadline_at") WHERE "questions"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "questions_agent_idx" ON "questions" USING btree ("agent","created_at");--> statement-breakpoint
CREATE INDEX "questions_resolved_idx" ON "questions" USING btree ("resolved_at");