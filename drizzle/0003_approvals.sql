CREATE TABLE "approvals" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"agent" text NOT NULL,
	"role" text DEFAULT 'agent' NOT NULL,
	"requested_by" text NOT NULL,
	"requester_kind" text NOT NULL,
	"description" text NOT NULL,
	"config" jsonb NOT NULL,
	"previous_config" jsonb,
	"revive" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"note" text,
	"failure" text
);
--> statement-breakpoint
CREATE INDEX "approvals_status_idx" ON "approvals" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "approvals_agent_idx" ON "approvals" USING btree ("agent");